// A typed panel: what a panel author writes against desk-loader's
// declarations (`import type` only: the loader provides window.deskLoader).
// `cargo xtask test` compiles it with `tsc --noEmit --strict`.
import type { BootContext } from "desk-loader";

function render(config: BootContext["config"], features: BootContext["features"]): HTMLElement {
  const root = document.createElement("section");
  root.className = "panel";
  const api = typeof config.API_URL === "string" ? config.API_URL : "(no API)";
  const on = Object.keys(features).filter((f) => features[f]);
  root.textContent = `Conversations from ${api}; features: ${on.join(", ") || "none"}`;
  return root;
}

window.deskLoader.register(async (ctx: BootContext) => {
  if (ctx.attemptId > 1) console.info(`release ${ctx.releaseId}, attempt ${ctx.attemptId}`);
  try {
    ctx.mount.replaceChildren(render(ctx.config, ctx.features));
    ctx.ready();
  } catch (e) {
    ctx.fail(e instanceof Error ? e.message : String(e));
  }
});
