//! Reading pages as a browser would, for tests: the hidden inputs of a form.

/// An attribute of a tag (the text after `<input`), quoted or not, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &tag[start..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"')?],
        None => &rest[..rest.find([' ', '>']).unwrap_or(rest.len())],
    };
    Some(unescape(value))
}

/// The `(name, value)` of every `<input type=hidden>` of a page, in order.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = format!(" {}", &rest[..rest.find('>')?]);
            if attribute(&tag, "type")? != "hidden" {
                return None;
            }
            Some((attribute(&tag, "name")?, attribute(&tag, "value")?))
        })
        .collect()
}

/// The value of one hidden input.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    hidden_fields(html)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Undoes HTML escaping of attribute values.
pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
