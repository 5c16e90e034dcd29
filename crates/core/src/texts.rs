//! The words an agent reads on the error screen, in each supported language.
//!
//! To add a language, add a `Texts` constant below and a line to [`LANGUAGES`]
//! (see `docs/error-screen.md`); `tests/texts.rs` checks that every language
//! fills every field. The choice of language is [`pick`]: the configuration's
//! `locale` first, then the browser's language, then English.

/// The error screen's fixed texts in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts {
    /// The BCP 47 language tag, such as `fr`.
    pub lang: &'static str,
    /// The heading.
    pub title: &'static str,
    /// What happened and what is safe, in plain words.
    pub body: &'static str,
    /// What to do.
    pub action: &'static str,
    /// The Retry button.
    pub retry: &'static str,
    /// Before the support code.
    pub support_code: &'static str,
    /// The summary of the collapsible details.
    pub details: &'static str,
    /// Labels of the details' rows: error code, release, phase, variables, time.
    pub labels: [&'static str; 5],
}

/// English.
pub const EN: Texts = Texts {
    lang: "en",
    title: "The desk could not start",
    body: "Your conversations are safe: nothing was lost, and they wait for you in the queue.",
    action: "Try again in a moment. If this goes on, tell your support team and quote the code below.",
    retry: "Try again",
    support_code: "Support code",
    details: "Technical details for the support team",
    labels: ["Error code", "Release", "Phase", "Variables at fault", "Time"],
};

/// French.
pub const FR: Texts = Texts {
    lang: "fr",
    title: "Le desk n’a pas pu démarrer",
    body: "Vos conversations sont en sécurité : rien n’est perdu, elles vous attendent dans la file.",
    action: "Réessayez dans un instant. Si cela continue, contactez votre support en citant le code ci-dessous.",
    retry: "Réessayer",
    support_code: "Code support",
    details: "Détails techniques pour le support",
    labels: ["Code d’erreur", "Version", "Étape", "Variables en cause", "Heure"],
};

/// Every language, English first (the fallback).
pub const LANGUAGES: &[Texts] = &[EN, FR];

/// The texts for the first of `preferences` (such as `fr-CA`, `en`) that is
/// supported, matched on the primary language subtag; English otherwise.
pub fn pick<'a>(preferences: impl IntoIterator<Item = &'a str>) -> &'static Texts {
    for tag in preferences {
        let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        if let Some(t) = LANGUAGES.iter().find(|t| t.lang == primary) {
            return t;
        }
    }
    &LANGUAGES[0]
}
