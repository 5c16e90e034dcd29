// A broken release: it loads but forgets to register with the loader.
window.__notRegisteredLoaded = true;
