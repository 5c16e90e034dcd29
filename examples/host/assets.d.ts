// What esbuild's file loader makes of an imported module file: its URL.
declare module "*.wasm" {
  const url: string;
  export default url;
}
declare module "*.css";
