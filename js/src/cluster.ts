// ClusterView: every point of an embedding set drawn with WebGL (regl-scatterplot), coloured by the values
// Python computes, with keyword labels over the clusters, hover tooltips, lasso/click selection synced to the
// `selected` trait, search highlights, and PNG/SVG export. Python does the maths; the parts in ./cluster/
// only draw. The same parts draw the page that save_html writes (./standalone.ts).
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import "./cluster.css";
import { renderCluster } from "./cluster/render";
import type { ClusterModel } from "./cluster/model";
import { widgetModule } from "./lib";

export type { ClusterModel } from "./cluster/model";

export default widgetModule((props: RenderProps<ClusterModel>) => renderCluster(props, "live"));
