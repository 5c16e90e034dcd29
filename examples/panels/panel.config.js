// The Vite build shared by the three example panels. Each app's own
// vite.config.js calls panelConfig() with its framework plugin and the
// packages that make up its vendor chunk.
//
// Output: $PANELS_OUT/<fw>/ (PANELS_OUT defaults to examples/panels/dist),
// with .vite/manifest.json, relative chunk URLs (base "./"), and one ES
// module entry that calls deskLoader.register at top level. No index.html:
// the JS entry is the build input.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

export function panelConfig({ framework, entry, plugins, vendor, vendorExtra }) {
  const appDir = path.join(here, framework);
  const outBase = process.env.PANELS_OUT ? path.resolve(process.env.PANELS_OUT) : path.join(here, "dist");
  // Matches a module id inside node_modules/<one of the vendor packages>/.
  const inPackages = new RegExp(`[\\\\/]node_modules[\\\\/](?:${vendor.map((p) => p.replace(/[/]/g, "[\\\\/]")).join("|")})[\\\\/]`);
  // vendorExtra: framework helpers that are virtual modules, not files.
  const vendorTest = (id) => inPackages.test(id) || (vendorExtra ? vendorExtra.test(id) : false);
  return defineConfig({
    root: appDir,
    base: "./",
    plugins,
    build: {
      outDir: path.join(outBase, framework),
      emptyOutDir: true,
      manifest: true,
      rolldownOptions: {
        input: path.join(appDir, entry),
        output: {
          // Vite 8 bundles with Rolldown: output.codeSplitting.groups is its
          // supported chunking option (manualChunks and advancedChunks are
          // deprecated aliases). The framework goes into its own chunk.
          codeSplitting: {
            groups: [{ name: "vendor", test: vendorTest }],
          },
        },
      },
    },
  });
}
