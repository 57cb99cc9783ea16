//! Property tests over generated documents (proptest, a bounded number of cases so CI stays
//! fast): cleaning is idempotent and safe, and neither entry point depends on how the input is
//! cut into chunks.

mod common;

use proptest::prelude::*;
use rfi_clean::Cleaner;

/// Pieces that real pages and known attacks are made of; documents are random sequences of them.
const PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<span>",
    "</span>",
    "<ul><li>",
    "</li></ul>",
    "<li>",
    "<strong>",
    "</strong>",
    "<em>",
    "<pre>\n",
    "</pre>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<h2>",
    "</h2>",
    "<blockquote>",
    "</blockquote>",
    "<br>",
    "<hr>",
    "<button>",
    "<center>",
    "文本",
    "texte ",
    " ",
    "\n",
    "\r",
    "\u{a0}",
    "\u{feff}",
    "&amp;",
    "&nbsp;",
    "&#xD800;",
    "&lt;",
    "分享 :",
    "Partager :",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\0",
    "<a href=\"https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/?xtor=RSS-1\">",
    "</a>",
    "<a href=\"https://rfi.my/AFiz\">",
    "<a href=\"https://rfi.my/AFiz\">https://rfi.my/AFiz</a>",
    "<a href=\"https://www.facebook.com/dialog/share?href=https%3A%2F%2Frfi.my%2FAFiz.F&amp;redirect_uri=https%3A%2F%2Fwww.rfi.fr%2Fcn%2Fx\"><span></span></a>",
    "<a href=\"whatsapp://send?text=t%20https%3A%2F%2Frfi.my%2FAFiz.W\"></a>",
    "<a href=\"https://www.google.com/url?q=https%3A%2F%2Fa.com%2F%3Futm_source%3Dx\">",
    "<a href=\"https://www.google.com/url?q=javascript%3Aalert(1)\">",
    "<a href=\"java&#x09;script:alert(1)\">",
    "<img src=x onerror=alert(1)>",
    "<img src=\"https://s.rfi.fr/%E4%B8%AD.jpg?utm_source=x\" srcset=\"a.jpg 1x, javascript:x 2x\">",
    "<script>alert(1)</script>",
    "<style>*{}</style>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<select><xmp>",
    "<template>",
    "</template>",
    "<noscript>",
    "</noscript>",
    "<plaintext>",
    "<span data-root-share><share-button></share-button></span>",
    "<div data-selfpromo-app></div>",
    "<link rel=canonical href=\"https://www.rfi.fr/cn/y\">",
    "<title>t</title>",
];

fn document() -> impl Strategy<Value = String> {
    let body = prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.concat());
    let kind = prop::sample::select(
        &[
            "",
            "<!DOCTYPE html><html><head><title>t</title></head><body>",
            "<!--1705142701000-->\n[t](https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240113-x?xtor=1)\n------\n\n",
        ][..],
    );
    (kind, body).prop_map(|(kind, body)| format!("{kind}{body}"))
}

/// Cuts `input` into chunks at the given sizes (1 to 64 bytes, cycled).
fn chunks<'a>(input: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let size = sizes[i % sizes.len()].min(rest.len());
        let (chunk, tail) = rest.split_at(size);
        out.push(chunk);
        rest = tail;
        i += 1;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn cleaning_is_idempotent_and_safe(input in document()) {
        let cleaner = Cleaner::default();
        let once = cleaner.clean(&input).expect("cleans");
        common::assert_nothing_executable(once.document(), &input);
        let twice = cleaner.clean(once.document()).expect("output cleans");
        prop_assert_eq!(twice.document(), once.document());
    }

    #[test]
    fn streams_do_not_depend_on_chunking(input in document(), sizes in prop::collection::vec(1usize..=64, 1..8)) {
        let cleaner = Cleaner::default();
        let bytes = input.as_bytes();

        let mut stream = cleaner.clean_stream();
        for chunk in chunks(bytes, &sizes) {
            stream.write(chunk).expect("accepted");
        }
        prop_assert_eq!(stream.finish().expect("cleans"), cleaner.clean(&input).expect("cleans"));

        let rewrite = |pieces: Vec<&[u8]>| {
            let mut out = Vec::new();
            let mut stream = cleaner.rewrite_stream(&mut out);
            for piece in pieces {
                stream.write(piece).expect("rewrites");
            }
            let report = stream.end().expect("ends");
            (out, report)
        };
        prop_assert_eq!(rewrite(chunks(bytes, &sizes)), rewrite(vec![bytes]));
    }
}
