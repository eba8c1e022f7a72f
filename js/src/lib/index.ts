// The shared front-end library, in one import for the widget modules. Importing it touches no browser global.
export { Autocomplete } from "./autocomplete";
export { trackBusy } from "./busy";
export { showChildView } from "./children";
export {
  asFloat32,
  asInt32,
  asUint8,
  decodeWire,
  fromBase64,
  isWireArray,
  readArray,
  rowCount,
  type ArrayValue,
  type DType,
  type NdArray,
  type TypedArray,
  type WireArray,
} from "./codecs";
export { DISCONNECTED_TEXT, onDisconnect, showDisconnected } from "./connection";
export { clear, h, svg, uniqueId } from "./dom";
export { showError } from "./errors";
export { hasFocus, isolateKeys } from "./focus";
export { formatNumber, formatScore, scoreBar } from "./format";
export { choicesOption, listen, numberOption, setTraits, type BaseModel, type Choice, type Options, type SidebarState, type Traits } from "./model";
export { connect, isRecord, normaliseError, Requester, type ErrorInfo, type Response } from "./requester";
export { followSidebar, pinButton, SIDEBAR_KEY, sidebarHost, type SidebarHost } from "./sidebar";
export { toolbar, watchingConnection, widgetModule } from "./widget";
