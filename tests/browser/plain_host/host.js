// A minimal anywidget host for the tests: what VS Code's and Colab's renderers give a widget module (anywidget's
// model API: get, set, on, off, save_changes, send), over a socket to the Python process, and nothing else. No
// JupyterLab, no extension, no widget manager. Each widget renders inside a shadow root, as marimo does.
const address = new URL("/ws", location.href);
address.protocol = address.protocol.replace("http", "ws");
const socket = new WebSocket(address);
const models = new Map();

function toBuffer(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new DataView(bytes.buffer);
}

// ipywidgets sends binary values apart from the JSON state, each with its path in the state.
function putBuffers(state, paths, buffers) {
  paths.forEach((path, i) => {
    let node = state;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = toBuffer(buffers[i]);
  });
  return state;
}

// And the other way: binary values the view sets (a DataView, e.g. a selection) go apart from the JSON, as
// ipywidgets' and anywidget's hosts send them.
function takeBuffers(value, path = [], found = [[], []]) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    found[0].push(path);
    found[1].push(btoa(text));
    return [null, ...found];
  }
  if (value === null || typeof value !== "object") return [value, ...found];
  const copy = Array.isArray(value) ? [] : {};
  for (const [key, item] of Object.entries(value)) copy[key] = takeBuffers(item, [...path, key], found)[0];
  return [copy, ...found];
}

class Model {
  constructor(id, state) {
    this.id = id;
    this.state = state;
    this.pending = {};
    this.listeners = new Map();
  }
  get(name) {
    return this.state[name];
  }
  set(name, value) {
    this.state[name] = value;
    this.pending[name] = value;
    this.emit(`change:${name}`);
  }
  save_changes() {
    const [state, buffer_paths, buffers] = takeBuffers(this.pending);
    socket.send(JSON.stringify({ id: this.id, method: "update", state, buffer_paths, buffers }));
    this.pending = {};
  }
  send(content) {
    socket.send(JSON.stringify({ id: this.id, method: "custom", content }));
  }
  on(event, callback) {
    for (const name of event.split(" ")) {
      if (!this.listeners.has(name)) this.listeners.set(name, new Set());
      this.listeners.get(name).add(callback);
    }
  }
  off(event, callback) {
    for (const name of (event ?? "").split(" ")) this.listeners.get(name)?.delete(callback);
  }
  emit(name, ...args) {
    for (const callback of this.listeners.get(name) ?? []) callback(...args);
  }
  update(state) {
    Object.assign(this.state, state);
    for (const name of Object.keys(state)) this.emit(`change:${name}`);
    this.emit("change");
  }
}

async function open(message) {
  const state = putBuffers(message.state, message.buffer_paths, message.buffers);
  const model = new Model(message.id, state);
  models.set(message.id, model);
  const host = document.createElement("section");
  host.className = "plain-host";
  host.dataset.widget = message.name;
  document.body.appendChild(host);
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = message.css;
  const el = document.createElement("div");
  root.append(style, el);
  const url = URL.createObjectURL(new Blob([message.esm], { type: "text/javascript" }));
  const module = await import(url);
  const widget = typeof module.default === "function" ? await module.default() : module.default;
  await widget.initialize?.({ model });
  await widget.render({ model, el });
  host.dataset.rendered = "true";
}

socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.method === "open") {
    open(message).catch((error) => {
      document.body.dataset.error = String(error);
      throw error;
    });
    return;
  }
  const model = models.get(message.id);
  if (!model) return;
  const data = message.data;
  if (data.method === "update") model.update(putBuffers(data.state, data.buffer_paths ?? [], message.buffers));
  if (data.method === "custom") model.emit("msg:custom", data.content, message.buffers.map(toBuffer));
});
