//! Embeds: a content iframe, `<embed>`, `<object>`, `<video>` or `<audio>` (YouTube, Vimeo,
//! Spotify, Datawrapper…) becomes a plain link to the public page of what it embeds, since the
//! sanitizer lets no frame or player through. The table is rules data (`[[embed]]` in
//! `rules.toml`); a frame that is hidden, or that no rule knows (ads, trackers, widgets), goes.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::Error;
use crate::endpoint::Endpoint;
use crate::scheme::{is_web, parse_absolute_or_scheme_relative};

/// What a document's embeds become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EmbedMode {
    /// A link to the public page of what is embedded, with the embed's title or the service's
    /// name as its text.
    #[default]
    Links,
    /// Nothing: embeds go, as the sanitizer would drop them.
    Drop,
}

/// One piece of a link template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    /// The n-th path segment after the endpoint (1-based).
    Segment(usize),
    /// A query parameter's value.
    Query(String),
    /// A query parameter's value that is itself the whole target URL.
    QueryUrl(String),
}

/// A compiled `[[embed]]` rule.
#[derive(Debug, Clone)]
pub(crate) struct CompiledEmbed {
    service: String,
    endpoints: Vec<Endpoint>,
    link: Vec<Piece>,
}

impl CompiledEmbed {
    /// Compiles one `[[embed]]` rule: its service name, endpoint patterns and link template.
    pub(crate) fn new(
        service: &str,
        endpoint_patterns: &[String],
        link_template: &str,
    ) -> Result<CompiledEmbed, Error> {
        let invalid = |reason: &str| Error::InvalidRule {
            rule: link_template.to_owned(),
            reason: reason.to_owned(),
        };
        let endpoints = endpoint_patterns
            .iter()
            .map(|p| Endpoint::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut link = Vec::new();
        let mut rest = link_template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                link.push(Piece::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| invalid("unclosed `{` in link"))?;
            let name = &rest[open + 1..open + close];
            link.push(if let Some(param) = name.strip_prefix("url:") {
                Piece::QueryUrl(param.to_owned())
            } else if let Some(param) = name.strip_prefix("q:") {
                Piece::Query(param.to_owned())
            } else {
                match name.parse::<usize>() {
                    Ok(n) if n > 0 => Piece::Segment(n),
                    _ => {
                        return Err(invalid(
                            "placeholders are {1}, {2}…, {q:NAME} and {url:NAME}",
                        ));
                    }
                }
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            link.push(Piece::Literal(rest.to_owned()));
        }
        let url_alone = matches!(link.as_slice(), [Piece::QueryUrl(_)]);
        let starts_web = matches!(link.first(), Some(Piece::Literal(l)) if l.starts_with("https://") || l.starts_with("http://"));
        if !url_alone && !starts_web {
            return Err(invalid(
                "a link starts with https:// (or is a lone {url:NAME} placeholder)",
            ));
        }
        if service.trim().is_empty() {
            return Err(invalid("an embed rule needs a service name"));
        }
        Ok(CompiledEmbed {
            service: service.to_owned(),
            endpoints,
            link,
        })
    }

    /// The public link for an embed URL, if this rule knows it.
    fn link_for(&self, url: &Url) -> Option<String> {
        let endpoint = self.endpoints.iter().find(|e| e.matches(url))?;
        let segments: Vec<&str> = endpoint
            .rest_of_path(url)
            .unwrap_or("")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let query = |name: &str| {
            url.query_pairs()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.into_owned())
        };
        let mut out = String::new();
        for piece in &self.link {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Segment(n) => out.push_str(segments.get(n - 1)?),
                Piece::Query(name) => {
                    out.extend(utf8_percent_encode(&query(name)?, NON_ALPHANUMERIC));
                }
                Piece::QueryUrl(name) => out.push_str(&query(name)?),
            }
        }
        let public = Url::parse(&out).ok()?;
        (is_web(&public) && public.has_host()).then(|| public.to_string())
    }
}

/// An embed turned into a link: where it points and what it says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EmbedLink {
    pub(crate) href: String,
    pub(crate) service: String,
}

/// The public link of an embed URL (`src` or `data-src`, entities undone; scheme-relative
/// `//host/…` counts as https), if a rule knows it.
pub(crate) fn public_link(raw: &str, rules: &[CompiledEmbed]) -> Option<EmbedLink> {
    let url = parse_absolute_or_scheme_relative(raw)?;
    if !is_web(&url) {
        return None;
    }
    rules.iter().find_map(|rule| {
        rule.link_for(&url).map(|href| EmbedLink {
            href,
            service: rule.service.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    #[test]
    fn embeds_become_public_links() {
        let rules = crate::rules::CompiledRules::new(&Rules::default()).expect("compiles");
        let cases = [
            (
                "https://www.youtube.com/embed/7MDljfr2JiA",
                "https://www.youtube.com/watch?v=7MDljfr2JiA",
            ),
            (
                "//www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
            (
                "https://www.youtube.com/embed/videoseries?list=PL1234",
                "https://www.youtube.com/playlist?list=PL1234",
            ),
            (
                "https://player.vimeo.com/video/76979871",
                "https://vimeo.com/76979871",
            ),
            (
                "http://www.dailymotion.com/embed/video/x2oikl3",
                "https://www.dailymotion.com/video/x2oikl3",
            ),
            (
                "https://geo.dailymotion.com/player.html?video=x8abc",
                "https://www.dailymotion.com/video/x8abc",
            ),
            (
                "https://open.spotify.com/embed/album/5xPxABC?utm_source=generator",
                "https://open.spotify.com/album/5xPxABC",
            ),
            (
                "https://open.spotify.com/embed-podcast/episode/77o6BIVl",
                "https://open.spotify.com/episode/77o6BIVl",
            ),
            (
                "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fartist%2Ftrack&color=ff5500",
                "https://soundcloud.com/artist/track",
            ),
            (
                "https://datawrapper.dwcdn.net/AbC12/3/",
                "https://datawrapper.dwcdn.net/AbC12/",
            ),
            (
                "https://flo.uri.sh/visualisation/1234567/embed",
                "https://public.flourish.studio/visualisation/1234567/",
            ),
            (
                "https://flo.uri.sh/story/98765/embed",
                "https://public.flourish.studio/story/98765/",
            ),
            (
                "https://platform.twitter.com/embed/Tweet.html?id=1234567890",
                "https://x.com/i/status/1234567890",
            ),
            (
                "https://www.instagram.com/p/CxYz123/embed/captioned",
                "https://www.instagram.com/p/CxYz123/",
            ),
            (
                "https://www.tiktok.com/embed/v2/7251234567890",
                "https://www.tiktok.com/embed/v2/7251234567890",
            ),
            (
                "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fpage%2Fvideos%2F123%2F&show_text=0",
                "https://www.facebook.com/page/videos/123/",
            ),
            (
                "https://v.qq.com/txp/iframe/player.html?vid=x033633yrm8",
                "https://v.qq.com/x/page/x033633yrm8.html",
            ),
            (
                "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD&page=1",
                "https://www.bilibili.com/video/BV1xx411c7mD",
            ),
        ];
        for (embed, public) in cases {
            let link = public_link(embed, &rules.embeds).unwrap_or_else(|| panic!("{embed}"));
            assert_eq!(link.href, public, "{embed}");
        }
        for unknown in [
            "https://www.facebook.com/plugins/like.php?href=x",
            "https://ads.example.com/frame.html",
            "about:blank",
            "javascript:alert(1)",
            "https://www.youtube.com/embed/",
            // The target of a player must itself be a web URL.
            "https://w.soundcloud.com/player/?url=javascript%3Aalert(1)",
        ] {
            assert_eq!(public_link(unknown, &rules.embeds), None, "{unknown}");
        }
    }

    #[test]
    fn malformed_links_are_refused() {
        for link in [
            "{1}",
            "https://x.com/{0}",
            "https://x.com/{zz}",
            "https://x.com/{1",
        ] {
            let endpoints = ["x.com/embed/".to_owned()];
            assert!(CompiledEmbed::new("x", &endpoints, link).is_err(), "{link}");
        }
    }
}
