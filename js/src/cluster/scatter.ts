// The WebGL map: one regl-scatterplot, its data, its styling, and the map from data to screen coordinates.
import createScatterplot, { createRenderer } from "regl-scatterplot";
import { PLAIN } from "./model";
import { SharedResource, type Lease } from "./shared";

type Plot = ReturnType<typeof createScatterplot>;
type Renderer = ReturnType<typeof createRenderer>;
type CreateOptions = NonNullable<Parameters<typeof createScatterplot>[0]>;
/** The option regl-scatterplot reads for its modifier keys; its type file still names the old ``keyMap``. */
type KeyOptions = { actionKeyMap: Record<string, string> };

export type Theme = { bg: string; fg: string; accent: string };

/** One frame of data: coordinates, a colour value per point, and which points are highlighted. */
export type Frame = {
  values: Float32Array | Int32Array | Uint8Array | null; // null: one plain colour
  continuous: boolean;
  colors: string[];
  highlight: ArrayLike<number>;
  selected: ArrayLike<number>;
};

// Past this many selected points the selection is drawn without its outline. regl-scatterplot draws each
// selected point three times, the outline passes 3× and 2× as wide as the point: with 1M of 2M points selected,
// software WebGL took 10.5 s a frame with the outline and 5.1 s without (2.4 s with none selected).
const OUTLINE_LIMIT = 100_000;
const OUTLINE_WIDTH = 2; // regl-scatterplot's default

/** What a map shows when the browser takes its WebGL context away. */
export const CONTEXT_LOST_MESSAGE =
  "This map lost its WebGL context (too many maps open at once?). Close other maps or re-run the cell.";

type GlRenderer = { renderer: Renderer; gl: WebGLRenderingContext };

// One WebGL context for the ClusterViews that share this module: browsers allow only a few contexts at once
// (Chromium drops the oldest past about 16). The last map to go destroys it and releases its context at once:
// left to the garbage collector, every closed map kept a live context (tests/browser/test_browser_page_leaks.py).
const renderers = new SharedResource<GlRenderer>(
  (lose) => {
    const renderer = createRenderer();
    // regl also listens and calls preventDefault, so the browser may give the context back. The points it held
    // are gone by then, so each map keeps its message (re-run the cell) rather than drawing an empty picture.
    renderer.canvas.addEventListener("webglcontextlost", (event) => {
      event.preventDefault();
      lose();
    });
    return { renderer, gl: renderer.regl._gl };
  },
  ({ renderer, gl }) => {
    if (!renderer.isDestroyed) renderer.destroy();
    // regl's destroy frees buffers and textures but not the context itself: release it now.
    if (!gl.isContextLost()) gl.getExtension("WEBGL_lose_context")?.loseContext();
  },
);

/** Any CSS colour (a theme variable's value) as #rrggbb, via the canvas' own colour parser. */
export function cssColor(value: string, fallback: string): string {
  const context = document.createElement("canvas").getContext("2d");
  if (!context || !value.trim()) return fallback;
  context.fillStyle = fallback;
  context.fillStyle = value.trim();
  const parsed = String(context.fillStyle);
  return parsed.startsWith("#") ? parsed : fallback;
}

/** The map's colours, from the --ew-* theme variables under ``root``. */
export function theme(root: Element): Theme {
  const style = getComputedStyle(root);
  return {
    bg: cssColor(style.getPropertyValue("--ew-bg"), "#ffffff"),
    fg: cssColor(style.getPropertyValue("--ew-fg"), "#1f2328"),
    accent: cssColor(style.getPropertyValue("--ew-accent"), "#1976d2"),
  };
}

export class Scatter {
  readonly plot: Plot;
  width: number;
  height: number;
  /** The coordinates drawn, split into x and y. */
  x = new Float32Array(0);
  y = new Float32Array(0);
  drawn = false;
  private source: unknown = null;
  private spatialIndex: ArrayBuffer | undefined;
  private zeros = new Uint8Array(0);
  private highlighted = 0;
  private ramp = false;
  private outlined = true;
  private byDensity = false;
  private readonly lease: Lease<GlRenderer>;
  /** Called once if the browser takes the WebGL context away (too many contexts on the page). */
  onContextLost: (() => void) | null = null;

  /** Throws when WebGL is missing or lacks a feature the map needs. */
  constructor(
    canvas: HTMLCanvasElement,
    width: number,
    height: number,
    colours: Theme,
    style: { size: number; opacity: number },
    workers = true, // false where a content-security policy forbids workers (the saved page)
  ) {
    this.width = width;
    this.height = height;
    this.lease = renderers.join(() => this.onContextLost?.());
    const options: CreateOptions & KeyOptions = {
      renderer: this.lease.resource.renderer,
      canvas,
      width,
      height,
      backgroundColor: colours.bg,
      pointColor: PLAIN,
      pointColorActive: colours.accent,
      pointColorHover: colours.fg,
      pointSize: style.size,
      opacity: style.opacity,
      opacityInactiveScale: 0.5,
      lassoColor: colours.accent,
      lassoMinDelay: 10,
      lassoMinDist: 2,
      actionKeyMap: { lasso: "shift", merge: "cmd", remove: "alt" },
      cameraDistance: 1.08,
      spatialIndexUseWorker: workers ? undefined : false,
    };
    try {
      this.plot = createScatterplot(options);
    } catch (error) {
      renderers.leave(this.lease);
      throw error;
    }
    if (!this.plot.isSupported) {
      this.destroy();
      throw new Error("this browser lacks a WebGL feature the map needs");
    }
    // A lasso selects inside regl-scatterplot, which tells its subscribers before it draws the next frame.
    this.plot.subscribe("select", ({ points }) => this.outlineSelection(points.length));
    this.plot.subscribe("deselect", () => this.outlineSelection(0));
  }

  /** Outline the selected points unless there are too many to draw that way quickly (OUTLINE_LIMIT). */
  outlineSelection(count: number): Promise<void> {
    const outlined = count <= OUTLINE_LIMIT;
    if (outlined === this.outlined) return Promise.resolve();
    this.outlined = outlined;
    return this.plot.set({ pointOutlineWidth: outlined ? OUTLINE_WIDTH : 0 });
  }

  get highlightCount(): number {
    return this.highlighted;
  }

  /** Point size and opacity; highlighted points (if any) stand out, the rest fade. */
  style(size: number, alpha: number): Promise<void> {
    if (this.highlighted > 0) {
      // Fade the rest, but less over a colour ramp (similarity, outliers), whose colours are the point.
      const faded = alpha * (this.ramp ? 0.45 : 0.15);
      return this.plot.set({
        sizeBy: "valueB",
        pointSize: [size, Math.max(size * 1.8, size + 3)],
        opacityBy: "valueB",
        opacity: [Math.max(0.04, faded), 1],
      });
    } else {
      // With density on, regl-scatterplot fades points where they pile up, so dense regions stay readable.
      // regl-scatterplot takes opacityBy "density" (documented); its type file leaves that value out.
      const settings = { sizeBy: null, opacityBy: this.byDensity ? "density" : null, pointSize: size, opacity: alpha };
      return this.plot.set(settings as unknown as Parameters<Plot["set"]>[0]);
    }
  }

  /** Opacity by local density (on with the density contours), unless a highlight is using the opacity. */
  densityOpacity(on: boolean, size: number, alpha: number): void {
    this.byDensity = on;
    void this.style(size, alpha);
  }

  /** Use these coordinates (x0 y0 x1 y1 ...); a new source drops the spatial index. */
  setCoordinates(source: unknown, xy: Float32Array): void {
    if (source === this.source) return;
    const n = xy.length / 2;
    this.x = new Float32Array(n);
    this.y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      this.x[i] = xy[2 * i] ?? 0;
      this.y[i] = xy[2 * i + 1] ?? 0;
    }
    this.source = source;
    this.spatialIndex = undefined;
  }

  async clear(): Promise<void> {
    if (this.drawn) await this.plot.clear();
    this.drawn = false;
    this.source = null;
  }

  async draw(frame: Frame, size: number, alpha: number): Promise<void> {
    const n = this.x.length;
    if (this.zeros.length !== n) this.zeros = new Uint8Array(n);
    const mask = new Uint8Array(n);
    for (let i = 0; i < frame.highlight.length; i++) {
      const row = frame.highlight[i] ?? -1;
      if (row >= 0 && row < n) mask[row] = 1;
    }
    this.highlighted = frame.highlight.length;
    this.ramp = frame.continuous && frame.values !== null;
    // regl-scatterplot's set() redraws on the next animation frame. Waiting for those before handing over the
    // points draws the new picture once; otherwise it is drawn, then drawn again (a second full frame: ~2 s of
    // software WebGL at 1M points, measured by benchmarks/workbench.py --browser).
    await Promise.all([
      this.plot.set({ colorBy: "valueA", pointColor: frame.colors.length ? frame.colors : [PLAIN] }),
      this.style(size, alpha),
      this.outlineSelection(frame.selected.length),
    ]);
    await this.plot.draw(
      { x: this.x, y: this.y, z: frame.values ?? this.zeros, w: mask },
      {
        zDataType: this.ramp ? "continuous" : "categorical",
        wDataType: "categorical",
        spatialIndex: this.spatialIndex,
        select: frame.selected.length ? Array.from(frame.selected) : undefined,
      },
    );
    if (!frame.selected.length) this.plot.deselect({ preventEvent: true });
    if (!this.spatialIndex) this.spatialIndex = this.plot.get("spatialIndex");
    this.drawn = true;
  }

  /** Data coordinates ([-1, 1]) to pixels in the canvas. */
  toScreen(px: number, py: number): [number, number] {
    const camera: unknown = this.plot.get("camera");
    const view = cameraView(camera);
    const at = (i: number) => view[i] ?? 0;
    const aspect = this.width / this.height;
    const cx = (at(0) * px + at(4) * py + at(12)) / aspect;
    const cy = at(1) * px + at(5) * py + at(13);
    return [(this.width * (cx + 1)) / 2, this.height * (0.5 - cy / 2)];
  }

  resize(width: number, height: number): boolean {
    if (width === this.width && height === this.height) return false;
    this.width = width;
    this.height = height;
    void this.plot.set({ width, height });
    return true;
  }

  /** Pan by a fraction of the view and zoom by a factor. */
  move(dx: number, dy: number, zoom: number): void {
    const target = this.plot.get("cameraTarget");
    const distance = Number(this.plot.get("cameraDistance"));
    const step = 0.15 * distance;
    void this.plot.zoomToLocation([target[0] + dx * step, target[1] + dy * step], distance * zoom);
  }

  selectedRows(): Int32Array {
    return Int32Array.from(this.plot.get("selectedPoints") ?? []).sort();
  }

  pointsInView(): number[] {
    return this.plot.get("pointsInView") ?? [];
  }

  /** True once the browser has taken this map's WebGL context away. */
  get contextLost(): boolean {
    return this.lease.lost;
  }

  destroy(): void {
    this.onContextLost = null;
    this.plot.destroy(); // also drops every subscription
    renderers.leave(this.lease);
  }
}

/** The camera's view matrix (column-major 4×4), or the identity when the camera has none yet. */
function cameraView(camera: unknown): number[] {
  const view: unknown = camera && typeof camera === "object" ? Reflect.get(camera, "view") : undefined;
  if (view instanceof Float32Array || view instanceof Float64Array) return Array.from(view);
  if (Array.isArray(view)) return view.map(Number);
  return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}
