// esbuild bundles the CSS a widget module imports; the import itself has no value.
declare module "*.css";
