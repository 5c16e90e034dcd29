// A broken release: it renders its text into an element the page does not
// show (`display: none`) and says it is ready. The text is in the document,
// but the desk is blank.
window.deskLoader.register(function boot(ctx) {
  const panel = document.createElement("section");
  panel.style.display = "none";
  panel.textContent = "Conversations: 3 waiting";
  ctx.mount.replaceChildren(panel);
  ctx.ready();
});
