// The page that ClusterView.save_html writes: the same ClusterView parts as the widget (./cluster/), drawn from
// data embedded in the page instead of a kernel, through a small in-page model (./cluster/page_model.ts).
// Nothing here fetches anything.
import "./styles.css";
import "./cluster.css";
import { isRecord } from "./lib";
import { PageModel, type PageData } from "./cluster/page_model";
import { renderCluster } from "./cluster/render";

/** Read the embedded data and draw the view into the page. */
function main(): void {
  const source = document.getElementById("ew-data");
  const page = document.getElementById("ew-page");
  if (!source || !page) return;
  const data: unknown = JSON.parse(source.textContent ?? "null");
  if (!isRecord(data) || !isRecord(data.xy)) {
    page.textContent = "This page holds no map data.";
    return;
  }
  renderCluster({ model: new PageModel(data as PageData), el: page }, "saved");
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
}
