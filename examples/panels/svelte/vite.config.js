import { svelte } from "@sveltejs/vite-plugin-svelte";
import { panelConfig } from "../panel.config.js";

export default panelConfig({
  framework: "svelte",
  entry: "main.js",
  plugins: [svelte()],
  vendor: ["svelte", "esm-env", "clsx"],
});
