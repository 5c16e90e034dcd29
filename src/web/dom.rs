//! What the agent sees: the loading state, the error screen, and the state
//! attributes and events a host page can follow. Text is always set with
//! `textContent`, never parsed as HTML.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::core::boot::{Failure, State};

/// Marks the mount point with the state and tells the page.
pub(crate) fn set_state(mount: &Element, state: State) {
    let _ = mount.set_attribute("data-desk-state", state.as_str());
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&state.as_str().into());
    init.set_bubbles(true);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("desk-loader:state", &init) {
        let _ = mount.dispatch_event(&event);
    }
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(&format!("desk-loader:{}", state.as_str()));
    }
}

/// Whether the mount point holds something other than the loading state:
/// an element that is not ours, or non-blank text.
pub(crate) fn has_content(mount: &Element) -> bool {
    let children = mount.children();
    if children.length() == 0 {
        return mount.text_content().is_some_and(|t| !t.trim().is_empty());
    }
    (0..children.length())
        .filter_map(|i| children.item(i))
        .any(|c| !c.class_name().split_whitespace().any(|name| name == "desk-loader-loading"))
}

/// Puts the loading state back in the mount point.
pub(crate) fn show_loading(mount: &Element) {
    let Some(doc) = mount.owner_document() else {
        return;
    };
    let Some(status) = el(&doc, "div", "desk-loader-loading", Some("Loading the desk…")) else {
        return;
    };
    let _ = status.set_attribute("role", "status");
    mount.replace_children_with_node_1(&status);
}

/// Replaces the mount point's content with the error screen.
pub(crate) fn show_error(mount: &Element, failure: &Failure) {
    let Some(doc) = mount.owner_document() else {
        return;
    };
    let Some(screen) = el(&doc, "section", "desk-loader-error", None) else {
        return;
    };
    let _ = screen.set_attribute("role", "alert");
    let _ = screen.set_attribute("tabindex", "-1");
    let _ = screen.set_attribute("data-desk-error", failure.code.as_str());
    append(&doc, &screen, "h1", "", "The desk could not start");
    append(
        &doc,
        &screen,
        "p",
        "",
        "Your conversations are safe. Try again in a moment; if this goes on, tell your support team.",
    );
    append(&doc, &screen, "p", "desk-loader-code", &format!("Support code: {}", failure.code.as_str()));
    if let Some(details) = el(&doc, "details", "", None) {
        append(&doc, &details, "summary", "", "Technical details");
        if let Some(list) = el(&doc, "ul", "", None) {
            for p in failure.problems.iter().filter(|p| p.is_error()) {
                append(&doc, &list, "li", "", &p.message);
            }
            let _ = details.append_child(&list);
        }
        let _ = screen.append_child(&details);
    }
    mount.replace_children_with_node_1(&screen);
    if let Some(h) = screen.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
}

fn el(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> Option<Element> {
    let e = doc.create_element(tag).ok()?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if let Some(t) = text {
        e.set_text_content(Some(t));
    }
    Some(e)
}

fn append(doc: &Document, parent: &Element, tag: &str, class: &str, text: &str) {
    if let Some(e) = el(doc, tag, class, Some(text)) {
        let _ = parent.append_child(&e);
    }
}
