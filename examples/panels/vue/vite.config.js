import vue from "@vitejs/plugin-vue";
import { panelConfig } from "../panel.config.js";

export default panelConfig({
  framework: "vue",
  entry: "main.js",
  plugins: [vue()],
  vendor: ["vue", "@vue"],
  // plugin-vue's SFC helper (\0plugin-vue:export-helper) is shared by App and
  // Details: left alone, Rolldown puts it in the entry, which then exports it
  // and the lazy chunk imports the entry back.
  vendorExtra: /plugin-vue:export-helper/,
});
