//! What the agent sees: the loading state, the error screen, and the state
//! attributes and events a host page can follow. Text is always set with
//! `textContent`, never parsed as HTML.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use desk_loader_core::boot::{Rendering, State, Status};
use desk_loader_core::report::Screen;

/// A `CustomEvent` named `name` that bubbles from the mount point with
/// `detail` (docs/embed.md, "Following the boot").
pub(crate) fn announce(mount: &Element, name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    init.set_bubbles(true);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = mount.dispatch_event(&event);
    }
}

/// Marks the mount point with the state and tells the page.
pub(crate) fn set_state(mount: &Element, status: &Status, detail: &JsValue) {
    let _ = mount.set_attribute("data-desk-state", status.state.as_str());
    match &status.release {
        Some(r) => {
            let _ = mount.set_attribute("data-desk-release", r);
        }
        None => {
            let _ = mount.remove_attribute("data-desk-release");
        }
    }
    match status.code {
        Some(c) => {
            let _ = mount.set_attribute("data-desk-error", c.as_str());
        }
        None => {
            let _ = mount.remove_attribute("data-desk-error");
        }
    }
    let _ = mount.set_attribute(
        "aria-busy",
        if matches!(status.state, State::Loading | State::Booting) { "true" } else { "false" },
    );
    announce(mount, "desk-loader:state", detail);
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(&format!("desk-loader:{}", status.state.as_str()));
    }
}

/// A User Timing measure `desk-loader:<name>` between two times.
pub(crate) fn measure(name: &str, start_ms: f64, end_ms: f64) {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &start_ms.into());
    let _ = js_sys::Reflect::set(&options, &"end".into(), &end_ms.max(start_ms).into());
    if let Ok(f) = js_sys::Reflect::get(&perf, &"measure".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call2(&perf, &format!("desk-loader:{name}").into(), &options);
        }
    }
}

/// Whether the mount point holds nothing at all: no element, no text (a
/// fact for the core: `Start::mount_empty`).
pub(crate) fn is_empty(mount: &Element) -> bool {
    mount.children().length() == 0 && mount.text_content().is_none_or(|t| t.trim().is_empty())
}

/// What the mount point shows now, outside the loading state: the facts the
/// core's `Rendering::is_rendered` judges. Read after a frame, when the core
/// asks (`Action::Look`, `panel::look`); the search stops at the first
/// element with a box.
pub(crate) fn rendering(mount: &Element) -> Rendering {
    let has_box = |el: &Element| {
        let r = el.get_bounding_client_rect();
        r.width() > 0.0 && r.height() > 0.0
    };
    let ours = |el: &Element| el.class_name().split_whitespace().any(|name| name == "desk-loader-loading");
    let mut seen = Rendering { mount_box: has_box(mount), text: false, element_box: false };
    let nodes = mount.child_nodes();
    for node in (0..nodes.length()).filter_map(|i| nodes.item(i)) {
        match node.dyn_into::<web_sys::HtmlElement>() {
            Ok(el) if !ours(&el) => {
                // `innerText` of an element that is not rendered (`display:
                // none`) is its `textContent`: its text counts only with a box.
                seen.text |= has_box(&el) && !el.inner_text().trim().is_empty();
                if !seen.element_box {
                    let inside = el.query_selector_all("*").ok();
                    seen.element_box = has_box(&el)
                        || inside.is_some_and(|all| {
                            (0..all.length())
                                .filter_map(|i| all.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
                                .any(|e| has_box(&e))
                        });
                }
            }
            Ok(_) => {}
            // Text right in the mount point.
            Err(node) => seen.text |= node.text_content().is_some_and(|t| !t.trim().is_empty()),
        }
        if seen.text && seen.element_box {
            break;
        }
    }
    seen
}

/// The observer that reports an emptied mount point, and its callback;
/// disconnected when dropped (a new boot's start replaces it).
pub(crate) struct Guard {
    observer: web_sys::MutationObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Tells the core whenever the mount point becomes empty (a panel cleared
/// it before rendering, or rendered nothing); the core answers with
/// `ShowLoading` while the boot is loading or booting. Mutation observers run
/// before the next paint, so the agent never sees the blank.
pub(crate) fn watch_for_empty_mount(mount: &Element, inbox: super::Inbox) -> Option<Guard> {
    let watched = mount.clone();
    let cb = Closure::<dyn FnMut()>::new(move || {
        if is_empty(&watched) {
            inbox.feed(desk_loader_core::boot::Event::MountEmptied);
        }
    });
    let observer = web_sys::MutationObserver::new(cb.as_ref().unchecked_ref()).ok()?;
    let init = web_sys::MutationObserverInit::new();
    init.set_child_list(true);
    let _ = observer.observe_with_options(mount, &init);
    Some(Guard { observer, _callback: cb })
}

/// Puts the loading state back in the mount point: a copy of the one the
/// page wrote, or, if it wrote none, a line of text.
pub(crate) fn show_loading(page: &super::load::Page) {
    let mount = &page.mount;
    if let Some(copy) = page.loading.as_ref().and_then(|l| l.clone_node_with_deep(true).ok()) {
        mount.replace_children_with_node_1(&copy);
        return;
    }
    let Some(doc) = mount.owner_document() else {
        return;
    };
    let Some(status) = el(&doc, "div", "desk-loader-loading", Some("Loading the desk…")) else {
        return;
    };
    let _ = status.set_attribute("role", "status");
    mount.replace_children_with_node_1(&status);
}

/// Replaces the mount point's content with the error screen: plain words,
/// a Retry button, the support code, and collapsible technical details.
#[cold]
#[inline(never)]
pub(crate) fn show_error(mount: &Element, screen: &Screen, retry: fn()) {
    let Some(doc) = mount.owner_document() else { return };
    let t = screen.texts;
    let Some(section) = el(&doc, "section", "desk-loader-error", None) else { return };
    let _ = section.set_attribute("role", "alert");
    let _ = section.set_attribute("tabindex", "-1");
    let _ = section.set_attribute("lang", t.lang);
    let _ = section.set_attribute("data-desk-error", screen.code.as_str());
    let _ = section.set_attribute("aria-labelledby", "desk-loader-error-title");
    if let Some(h) = el(&doc, "h1", "", Some(t.title)) {
        h.set_id("desk-loader-error-title");
        let _ = section.append_child(&h);
    }
    append(&doc, &section, "p", "", t.body);
    append(&doc, &section, "p", "", t.action);
    if let Some(button) = el(&doc, "button", "desk-loader-retry", Some(t.retry)) {
        let _ = button.set_attribute("type", "button");
        let on_click = Closure::<dyn FnMut()>::new(retry);
        let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // The button lives as long as the screen; a Retry replaces both.
        on_click.forget();
        let _ = section.append_child(&button);
    }
    if let Some(p) = el(&doc, "p", "desk-loader-code", None) {
        append(&doc, &p, "span", "", &format!("{}: ", t.support_code));
        append(&doc, &p, "strong", "", &screen.support_code);
        let _ = section.append_child(&p);
    }
    if let Some(details) = el(&doc, "details", "", None) {
        append(&doc, &details, "summary", "", t.details);
        if let Some(list) = el(&doc, "dl", "", None) {
            for (label, value) in &screen.rows {
                append(&doc, &list, "dt", "", label);
                append(&doc, &list, "dd", "", value);
            }
            let _ = details.append_child(&list);
        }
        if let Some(list) = el(&doc, "ul", "", None) {
            for m in &screen.messages {
                append(&doc, &list, "li", "", m);
            }
            let _ = details.append_child(&list);
        }
        let _ = section.append_child(&details);
    }
    mount.replace_children_with_node_1(&section);
    if let Some(h) = section.dyn_ref::<web_sys::HtmlElement>() {
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

/// The text of each of the page's import maps, for the core's rule on
/// chunks (`core::options::import_map_integrity` reads them).
pub(crate) fn import_maps() -> Vec<String> {
    let maps =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector_all("script[type=importmap]").ok());
    maps.map_or_else(Vec::new, |maps| {
        (0..maps.length()).filter_map(|i| maps.item(i)).filter_map(|m| m.text_content()).collect()
    })
}

/// `url` resolved against the page, as the browser resolves it.
pub(crate) fn absolute(url: &str) -> String {
    web_sys::Url::new_with_base(url, &web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default())
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}
