// A broken release: its top-level code throws before it registers.
var settings = undefined;
window.__limit = settings.maxConversations;
