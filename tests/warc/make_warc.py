#!/usr/bin/env python3
"""Writes the WARC files of the WARC tests (crates/rfi-clean-cli/tests/warc.rs) with warcio.

Usage: make_warc.py OUT_DIR

OUT_DIR gets:
  crawl.warc.gz   one gzip member per record, as warcio and Common Crawl write them, with a
                  truncated member and a record whose Content-Length is wrong in the middle
  crawl.warc      the same records uncompressed, without the damaged ones
  whole.warc.gz   crawl.warc gzipped as one stream
  expected.json   the records rfi-clean must clean, in order, and the damaged ones
"""

import gzip
import io
import json
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATE = "2024-01-13T10:45:01Z"


def http(status, headers):
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def record(writer, uri, kind, body, headers=None, status="200 OK", content_type=None):
    warc_headers = {"WARC-Date": DATE}
    http_headers = http(status, headers) if headers is not None else None
    return writer.create_warc_record(
        uri,
        kind,
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_content_type=content_type,
        warc_headers_dict=warc_headers,
    )


def chunked(data, size=7):
    out = b""
    for i in range(0, len(data), size):
        part = data[i : i + size]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    page = (
        b"<!DOCTYPE html><html lang=en><head><title>Plain</title></head><body>"
        b"<p>Hello <a href=\"/world/x?utm_source=tw&amp;id=2\">world</a></p>"
        b"<script>alert(1)</script></body></html>"
    )
    latin1 = "<p>Caf\u00e9 cr\u00e8me <a href='/b?fbclid=1'>b</a></p>".encode("latin-1")
    chunk_page = b"<p>Chunked <a href='https://t.co/x'>body</a> " + b"x" * 40 + b"</p>"
    gz_page = b"<p>Gzipped <a href='../c?utm_medium=y'>body</a></p>"

    members = []  # (name, bytes of the gzip member, expected or None)

    def add(name, make, expected=None):
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True, warc_version="WARC/1.1")
        rec = make(writer)
        writer.write_record(rec)
        members.append((name, buf.getvalue(), expected, rec.rec_headers.get_header("WARC-Record-ID")))

    add("warcinfo", lambda w: w.create_warcinfo_record("crawl.warc.gz", {"software": "make_warc.py"}))
    add(
        "request",
        lambda w: w.create_warc_record(
            "https://news.example/plain",
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders("GET /plain HTTP/1.1", [("Host", "news.example")], is_http_request=True),
            warc_headers_dict={"WARC-Date": DATE},
        ),
    )
    add(
        "plain",
        lambda w: record(w, "https://news.example/plain", "response", page,
                         [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]),
        {"uri": "https://news.example/plain", "contains": ['href="/world/x?id=2"', "Hello"], "absent": ["alert"]},
    )
    add(
        "latin1",
        lambda w: record(w, "https://news.example/latin1", "response", latin1,
                         [("Content-Type", "text/html; charset=ISO-8859-1")]),
        {"uri": "https://news.example/latin1", "contains": ["Caf\u00e9 cr\u00e8me", 'href="/b"'], "absent": ["fbclid"]},
    )
    add(
        "chunked",
        lambda w: record(w, "https://news.example/chunked", "response", chunked(chunk_page),
                         [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
        {"uri": "https://news.example/chunked", "contains": ["Chunked", "x" * 40], "absent": ["\r\n0\r\n"]},
    )
    add(
        "gzip",
        lambda w: record(w, "https://news.example/a/gzip", "response", gzip.compress(gz_page),
                         [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]),
        {"uri": "https://news.example/a/gzip", "contains": ["Gzipped", 'href="../c"'], "absent": ["utm_medium"]},
    )
    # Damaged: a member cut short, then a record whose Content-Length is 10 bytes short.
    add(
        "truncated",
        lambda w: record(w, "https://news.example/truncated", "response", page,
                         [("Content-Type", "text/html")]),
    )
    bad_block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>wrong length</p>"
    bad = (
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-00000000bad1>\r\n"
        b"WARC-Date: " + DATE.encode() + b"\r\nWARC-Target-URI: https://news.example/wrong-length\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n%s\r\n\r\n" % (len(bad_block) - 10, bad_block)
    )
    members.append(("wrong-length", gzip.compress(bad), None, "<urn:uuid:00000000-0000-4000-8000-00000000bad1>"))
    add(
        "png",
        lambda w: record(w, "https://news.example/logo.png", "response", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                         [("Content-Type", "image/png")]),
    )
    add(
        "redirect",
        lambda w: record(w, "https://news.example/old", "response", b"",
                         [("Location", "/plain"), ("Content-Type", "text/html")], status="301 Moved Permanently"),
    )
    add(
        "revisit",
        lambda w: w.create_revisit_record(
            "https://news.example/plain", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "https://news.example/plain", DATE,
            http_headers=http("200 OK", [("Content-Type", "text/html")]),
        ),
    )
    add(
        "resource",
        lambda w: record(w, "https://news.example/res/page.html", "resource",
                         b"<p>A resource <a href='x.html?utm_campaign=z'>link</a></p>",
                         content_type="text/html; charset=utf-8"),
        {"uri": "https://news.example/res/page.html", "contains": ['href="x.html"', "A resource"], "absent": ["utm_campaign"]},
    )

    damaged = {"truncated", "wrong-length"}
    data = b""
    offsets = {}
    for name, member, _, _ in members:
        offsets[name] = len(data)
        if name == "truncated":
            member = member[: len(member) // 2]
        data += member
    (out / "crawl.warc.gz").write_bytes(data)
    plain = b"".join(
        gzip.decompress(member) for name, member, _, _ in members if name not in damaged
    )
    (out / "crawl.warc").write_bytes(plain)
    (out / "whole.warc.gz").write_bytes(gzip.compress(plain))
    expected = {
        "cleaned": [
            dict(exp, record_id=rid, offset=offsets[name])
            for name, _, exp, rid in members
            if exp is not None
        ],
        "damaged": [
            {"name": name, "record_id": rid, "offset": offsets[name]}
            for name, _, _, rid in members
            if name in damaged
        ],
        "records": len(members),
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
