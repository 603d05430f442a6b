// Package handle is the pure, deterministic mapping between wiki page titles
// and user names and the Fediverse handles of their actors
// (`@albert_einstein@wiki.example`, `@user.jimbo_wales@wiki.example`). It does
// no I/O: uniqueness across the wiki is the caller's job (a first-claimer index
// plus the id fallbacks), this package only says what the natural handle of a
// title is, and what titles a handle may have come from.
//
// # Handles
//
// Every handle returned is lowercase ASCII, at most [MaxLen] bytes, and
// matches both Mastodon's remote-username rule `^[a-z0-9_]+([.-]+[a-z0-9_]+)*$`
// and Misskey's `^\w([\w-.]*\w)?$`; anything that cannot be mapped so yields ""
// and the caller uses [PageFallback] or [UserFallback].
// The servers' rules are in docs/interop.md, "Handles".
//
//   - Main namespace: the mapped title, `Albert Einstein` → `albert_einstein`.
//   - Other namespaces: the namespace's handle prefix, `.`, the mapped rest:
//     `Talk:Albert Einstein` → `talk.albert_einstein`, `User talk:Jimbo` →
//     `user_talk.jimbo`. The prefix is the namespace's canonical (English,
//     language-independent) name mapped the same way with `.` turned into `_`,
//     so `Wikipedia:About` is `project.about` on every wiki. A prefix that
//     would be empty, `page`, `user` (other than for the User namespace),
//     `ns<digits>`, longer than 64 bytes, or the prefix of a namespace with
//     a lower id becomes `ns<id>` (e.g. ProofreadPage's `Page:` namespace is
//     `ns104.…`).
//   - User namespace (2) pages, subpages included, and the virtual namespaces
//     Special (-1) and Media (-2) have no page handle: editors are [ForUser].
//   - Editors: `user.` + the mapped name, `Jimbo Wales` → `user.jimbo_wales`.
//     IP addresses, and names that map to digits only or to an address
//     (`42`, `٤٢`, `1.0.0.00!`), have none.
//   - Fallbacks: `page.<pageid>` and `user.<userid>`, always valid.
//
// # Mapping text
//
// The text is read character by character:
//
//   - ASCII letters and digits are kept, lowercased.
//   - Apostrophes and backticks are dropped, so words stay whole:
//     `Don't` → `dont`.
//   - A few ASCII symbols become words: `+` plus, `&` and, `#` sharp, `@` at,
//     `%` percent (`C++` → `c_plus_plus`, `C#` → `c_sharp`,
//     `AT&T` → `at_and_t`).
//   - Every other character outside ASCII is transliterated with
//     github.com/mozillazg/go-unidecode (the Text::Unidecode tables): Latin
//     diacritics are stripped (`Zürich` → `zurich`, `Straße` → `strasse`,
//     `Ærø` → `aero`), other scripts are romanised (`Москва` → `moskva`,
//     `東京` → `dong_jing`; Han is always read as Mandarin). Characters it has
//     no reading for (emoji) are dropped. Its output goes through the same
//     rules except the symbol words.
//   - Everything else separates words. A run of separators between two words
//     is written as one character: when the run holds only `.` and `-` its
//     first character is kept (`Example.jpg` → `example.jpg`, `Spider-Man` →
//     `spider-man`); otherwise it is `_` (`St. Louis` → `st_louis`, `AC/DC` →
//     `ac_dc`, `Foo (bar)` → `foo_bar`). Separators before the first word and
//     after the last are dropped (`.hack` → `hack`, `-30-` → `30`,
//     `__init__` → `init`, which is how MediaWiki itself normalises it).
//
// # Ambiguity guard
//
// A main-namespace handle containing a `.` must not look like a prefixed one,
// so it is "" (fallback) when its first `.`-separated segment is `page`,
// `user`, `ns<digits>` or the handle prefix of any of the site's namespaces:
// `Talk.foo` and `Page.5` in the main namespace get the fallback. A handle
// without a dot (`talk`, `user`, `page`) is unambiguous and kept.
//
// # Collisions
//
// Handles are deterministic, and different titles can share one. The caller
// gives the handle to the first page that claims it and the fallback to the
// others. Titles that collide:
//
//   - case-only variants: `Albert Einstein`, `Albert einstein`, `ALBERT
//     EINSTEIN` (and `albert einstein` on case-sensitive wikis);
//   - transliteration variants: `Zürich`/`Zurich`, `Straße`/`Strasse`,
//     `Москва`/`Moskva`, `東京`/`Dong Jing`, `Łódź`/`Lodz`;
//   - punctuation variants: `AC/DC`, `AC DC`, `AC (DC)`, `AC, DC`; `St.
//     Louis`/`St Louis`; `Don't`/`Dont`; `Foo--Bar`/`Foo-Bar`; `.hack`/`Hack`;
//     subpages `Foo/Bar`/`Foo Bar`;
//   - symbol words and their spelling: `C++`/`C plus plus`, `Rock & Roll`/`Rock
//     and Roll`.
//
// Different namespaces never collide with each other (the prefix and the
// guard keep them apart), and user handles never collide with page handles
// or with [UserFallback].
//
// Handles of non-ASCII titles depend on the transliteration tables; go.mod
// pins their version, and a test pins their output, so that a library update
// that would rename actors fails the tests instead.
//
// It must not know the store, HTTP or the wiki's API: callers hand it titles
// and names.
package handle
