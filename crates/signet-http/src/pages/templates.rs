//! Templates: minijinja with HTML auto-escaping (every `.html` template), compiled once from
//! sources embedded in the binary.
//!
//! Every page extends `base.html`, which gets `t` (the message table of the page's language),
//! `lang` (its BCP 47 tag), `other_lang` (for the switch) and `assets` (hashed asset URLs); a
//! page adds its own values. Templates never contain `<script>` bodies or `style=""` attributes
//! (the CSP forbids both); data for scripts goes into `data-*` attributes or a JSON
//! `<script type="application/json">` block, which the CSP does not execute.

use std::sync::LazyLock;

use axum::response::Html;
use minijinja::{Environment, Value, context};

use super::assets;
use super::i18n::Lang;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("state.html", include_str!("templates/state.html")),
    ("sign.html", include_str!("templates/sign.html")),
    ("done.html", include_str!("templates/done.html")),
    ("position.html", include_str!("templates/position.html")),
    ("authorize.html", include_str!("templates/authorize.html")),
    ("authorized.html", include_str!("templates/authorized.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // The sources are ours and compiled in; a syntax error is caught by the unit test below.
        if let Err(err) = env.add_template(name, source) {
            tracing::error!(template = name, error = %err, "page template does not compile");
        }
    }
    env
});

/// Renders `name` in `lang` with the page's own `values` merged over the base context.
pub fn render(name: &str, lang: Lang, values: Value) -> Result<Html<String>, minijinja::Error> {
    let other = if lang == Lang::Zh { Lang::En } else { Lang::Zh };
    let base = context! {
        t => lang.messages(),
        lang => lang.tag(),
        other_lang => other.tag().split('-').next().unwrap_or("en"),
        assets => assets::urls(),
    };
    let template = ENV.get_template(name)?;
    template.render(context! { ..values, ..base }).map(Html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        for (name, _) in TEMPLATES {
            ENV.get_template(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let html = render("state.html", Lang::Zh, context! { title => "<b>x</b>", message => "<script>1</script>" })
            .unwrap()
            .0;
        assert!(html.contains("&lt;script&gt;1"), "{html}");
        assert!(!html.contains("<script>1"));
        assert!(html.contains("lang=\"zh-CN\""));
    }
}
