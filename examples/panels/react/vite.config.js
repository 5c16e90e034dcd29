import react from "@vitejs/plugin-react";
import { panelConfig } from "../panel.config.js";

export default panelConfig({
  framework: "react",
  entry: "main.jsx",
  plugins: [react()],
  vendor: ["react", "react-dom", "scheduler"],
});
