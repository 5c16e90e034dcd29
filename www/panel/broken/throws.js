// A broken release: its boot throws, as the incident's panel did when a
// variable it needed was not set.
window.deskLoader.register(function boot(ctx) {
  var gateway = ctx.config.ENGINE_GATEWAY_URL;
  throw new TypeError("Cannot read properties of undefined (reading 'connect'): gateway " + gateway);
});
