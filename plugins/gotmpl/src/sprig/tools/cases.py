#!/usr/bin/env python3
"""Template cases for the Sprig reference fixture (tests/data/sprig_cases.json); printed as JSON for run_helm.py.

Each case is rendered by helm against tests/data/sprig_values.json; run from plugins/gotmpl:
    python3 src/sprig/tools/cases.py > /tmp/cases.json
    python3 src/sprig/tools/run_helm.py /tmp/cases.json tests/data/sprig_values.json tests/data/sprig_cases.json
"""
import json

C = []
def add(group, *templates):
    for i, t in enumerate(templates):
        C.append({"id": "%s-%d" % (group, i), "template": t})

V = ".Values"
add("hello", '{{ hello }}')
add("abbrev", '{{ abbrev 5 "hello world" }}', '{{ abbrev 3 "hello world" }}', '{{ abbrev 20 "hello world" }}',
    '{{ abbrev 4 "hello" }}', '{{ abbrev 5 "" }}', '{{ abbrev 6 .Values.unicode }}',
    '{{ abbrevboth 5 10 "1234 5678 9123" }}', '{{ abbrevboth 0 10 "1234 5678 9123" }}',
    '{{ abbrevboth 10 4 "1234 5678 9123" }}', '{{ abbrevboth 10 7 "abcdefghijklmnopqrstuvwxyz" }}',
    '{{ abbrevboth 20 7 "abcdefghijklmnopqrstuvwxyz" }}', '{{ abbrevboth 3 8 "abcdefghijklmnop" }}',
    '{{ abbrevboth 100 10 "abcdefghijklmnop" }}', '{{ abbrevboth -5 10 "abcdefghijklmnop" }}')
add("trunc", '{{ trunc 5 .Values.str }}', '{{ trunc -5 .Values.str }}', '{{ trunc 0 .Values.str }}',
    '{{ trunc -100 .Values.str }}', '{{ trunc 100 .Values.str }}', '{{ trunc -11 .Values.str }}',
    '{{ trunc 5 .Values.unicode }}', '{{ trunc -3 .Values.unicode }}', '{{ trunc -10 "abc" }}')
add("trim", '[{{ trim "  x y \\n\\t" }}]', '[{{ trimAll "$" "$$5.00$" }}]', '[{{ trimall "ab" "abcba" }}]',
    '[{{ trimSuffix "-" "hello--" }}]', '[{{ trimPrefix "-" "--hello" }}]', '[{{ trimAll "" "xx" }}]',
    '[{{ trim "\u00a0x\u3000" }}]', '[{{ "$x$" | trimAll "$" }}]')
add("case", '{{ upper "hello ß ǆ ÿ" }}', '{{ lower "HELLO İ Σ À" }}', '{{ title "hello wide world" }}',
    '{{ title "hello_world foo-bar o\'neil 3rd élan" }}', '{{ title "ǆemal" }}', '{{ untitle "Hello World" }}',
    '{{ untitle "HELLO   WORLD\\tX" }}', '{{ swapcase "This Is A.Test" }}', '{{ swapcase "hello WORLD ǅ x" }}',
    '{{ swapcase "" }}', '{{ upper .Values.unicode }}')
add("substr", '{{ substr 0 5 .Values.str }}', '{{ substr 6 100 .Values.str }}', '{{ substr -1 5 .Values.str }}',
    '{{ substr 3 -1 .Values.str }}', '{{ substr 2 2 .Values.str }}', '{{ substr 1 3 .Values.unicode }}',
    '{{ substr 5 2 .Values.str }}', '{{ substr 20 30 .Values.str }}', '{{ substr -1 20 .Values.str }}',
    '{{ substr -1 -1 .Values.str }}', '{{ substr 0 11 .Values.str }}')
add("repeat", '{{ repeat 3 "ab" }}', '[{{ repeat 0 "ab" }}]', '{{ repeat -1 "ab" }}', '{{ "x" | repeat 4 }}')
add("nospace", '{{ nospace "h e l l o" }}', '{{ nospace "a\\tb\\nc\\vd\\fe\\rf" }}', '{{ nospace "héllo" }}',
    '{{ nospace "hé llo" }}', '{{ nospace "à b" }}', '[{{ nospace "" }}]')
add("initials", '{{ initials "First Try" }}', '{{ initials "  a  b\\tc " }}', '{{ initials "élan vital" }}',
    '[{{ initials "" }}]', '{{ initials "one" }}')
add("snake", '{{ snakecase "FirstName" }}', '{{ snakecase "HTTPServer" }}', '{{ snakecase "NoHTTPS" }}',
    '{{ snakecase "GO_PATH" }}', '{{ snakecase "GO PATH" }}', '{{ snakecase "GO-PATH" }}',
    '{{ snakecase "http2xx" }}', '{{ snakecase "HTTP20xOK" }}', '{{ snakecase "Duration2m3s" }}',
    '{{ snakecase "Bld4Floor3rd" }}', '{{ snakecase "a.b.c" }}', '{{ snakecase "  leading space" }}',
    '{{ snakecase "ABC" }}', '{{ snakecase "aBC" }}', '{{ snakecase "camelCaseString" }}',
    '{{ snakecase "already_snake" }}', '{{ snakecase "Ünïcode Wörds" }}', '{{ snakecase "x__y" }}',
    '{{ snakecase "123abc" }}', '{{ snakecase "abc123" }}', '{{ snakecase "a1B2c3" }}',
    '{{ kebabcase "FirstName" }}', '{{ kebabcase "HTTPServer_id" }}', '{{ kebabcase "some words here" }}',
    '{{ snakecase "日本語Text" }}', '{{ snakecase "hello, World!" }}', '{{ snakecase "A" }}')
add("camel", '{{ camelcase "http_server" }}', '{{ camelcase "_complex__case_" }}', '{{ camelcase "GOLANG_IS_GREAT" }}',
    '{{ camelcase "some words" }}', '{{ camelcase "no_https" }}', '{{ camelcase "alreadyCamel" }}',
    '{{ camelcase "AlreadyPascal" }}', '{{ camelcase "a" }}', '{{ camelcase "__" }}', '{{ camelcase "x-y-z" }}',
    '{{ camelcase "HTTP_SERVER_URL" }}', '{{ camelcase "ünicode_wörd" }}')
add("wrap", '{{ wrap 10 .Values.long }}', '{{ wrap 5 "abcdefghij klm" }}', '{{ wrap 0 "a b c" }}',
    '{{ wrapWith 10 "|" "Hello World and more text" }}', '{{ wrapWith 5 "<br>" "abcdefghijklmnop qr" }}',
    '{{ wrap 3 "  a   b  " }}', '[{{ wrap 5 "" }}]', '{{ wrap 20 "short" }}', '{{ wrapWith 4 "" "aaaa bbbb" }}')
add("contains", '{{ contains "cat" "catch" }}', '{{ contains "" "x" }}', '{{ hasPrefix "cat" "catch" }}',
    '{{ hasSuffix "ch" "catch" }}', '{{ hasPrefix "x" "catch" }}', '{{ "catch" | contains "at" }}')
add("quote", '{{ quote .Values.str }} {{ quote .Values.int }} {{ quote .Values.big }} {{ quote .Values.truthy }}',
    '[{{ quote .Values.nul }}]', '{{ quote "a" "b" 1 }}', '{{ quote "a\\"b\\\\c\\n\\t\\u0001é" }}',
    '{{ quote .Values.list }}', '{{ quote .Values.labels }}', '{{ quote "a" nil "b" }}', '[{{ quote }}]',
    '{{ squote .Values.str }} {{ squote .Values.big }}', "{{ squote \"it's\" }}", '{{ squote .Values.list nil 1 }}',
    '{{ quote 1.5 2 true }}', '{{ squote .Values.mixed }}')
add("cat", '{{ cat "hello" "beautiful" "world" }}', '{{ cat "a" nil "b" }}', '{{ cat 1 2.5 .Values.list }}',
    '[{{ cat }}]', '{{ cat .Values.nul .Values.str }}', '{{ cat "a" "" "b" }}')
add("indent", '{{ indent 4 .Values.multiline }}', 'x:{{ nindent 2 "a\\nb" }}', '{{ indent 0 "a\\nb" }}',
    '[{{ indent 2 "" }}]', '{{ indent -1 "a" }}', '{{ "a\\n\\nb" | indent 3 }}', '{{ nindent 0 "x" }}')
add("replace", '{{ replace " " "-" "I Am Henry VIII" }}', '{{ replace "" "-" "abc" }}', '{{ replace "a" "" "banana" }}',
    '{{ "aaa" | replace "aa" "b" }}', '{{ replace "é" "e" .Values.unicode }}')
add("plural", '{{ plural "one anchovy" "many anchovies" 2 }}', '{{ plural "one" "many" 1 }}',
    '{{ plural "one" "many" 0 }}', '{{ plural "one" "many" -1 }}')
add("hash", '{{ sha1sum "hello" }}', '{{ sha256sum "hello" }}', '{{ sha512sum "hello" }}', '{{ adler32sum "hello" }}',
    '{{ sha256sum "" }}', '{{ adler32sum "" }}', '{{ sha1sum .Values.unicode }}',
    '{{ adler32sum .Values.long }}', '{{ sha512sum .Values.long }}')
add("b64", '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hello" }} {{ b32dec "NBSWY3DP" }}',
    '{{ b64enc "" }}|{{ b64dec "" }}|{{ b32enc "" }}|{{ b32dec "" }}', '{{ b64dec "aGVsbG8" }}', '{{ b64dec "a" }}',
    '{{ b64dec "!!!!" }}', '{{ b64dec "aGVs\\nbG8=" }}', '{{ b64dec "aGVsbG8=x" }}', '{{ b64dec "aGVsbA==" }}',
    '{{ b64dec "aGVsbA=" }}', '{{ b64dec "aGVsbA=x" }}', '{{ b64dec "aGVsbG9=" }}', '{{ b64dec "=" }}',
    '{{ b64dec "aG=" }}', '{{ b64enc .Values.unicode }}', '{{ b64dec (b64enc .Values.unicode) }}',
    '{{ b32dec "MY======" }}', '{{ b32dec "MY" }}', '{{ b32dec "my======" }}', '{{ b32dec "MY=====" }}',
    '{{ b32dec "MY======MY" }}', '{{ b32dec "M=======" }}', '{{ b32dec "MZXQ====" }}', '{{ b32dec "MZXW6===" }}',
    '{{ b32enc "f" }} {{ b32enc "fo" }} {{ b32enc "foo" }} {{ b32enc "foob" }} {{ b32enc "fooba" }} {{ b32enc "foobar" }}',
    '{{ b32dec "NBSW\\nY3DP" }}', '{{ b32dec "MY=a====" }}', '{{ b64dec "aGV\\r\\nsbG8=" }}')
add("tostring", '{{ toString .Values.int }} {{ toString .Values.big }} {{ toString .Values.list }} {{ toString .Values.nul }} {{ toString .Values.truthy }}',
    '{{ toString .Values.labels }}', '{{ toString 1 }}', '{{ toString 1.5 }}', '{{ toString "x" }}',
    '{{ typeOf (toString 1) }}', '{{ toString .Values.mixed }}')
add("conv", '{{ atoi "42" }} {{ atoi "010" }} {{ int "010" }} {{ int "42" }} {{ int 3.9 }} {{ int64 "7" }} {{ float64 "1.5" }}',
    '{{ atoi "abc" }} {{ atoi "" }} {{ atoi "-5" }} {{ atoi "+5" }} {{ atoi " 5" }} {{ atoi "1_000" }}',
    '{{ atoi "99999999999999999999" }} {{ atoi "-99999999999999999999" }}',
    '{{ int "abc" }} {{ int "0x1F" }} {{ int "0o17" }} {{ int "0b101" }} {{ int "1_000" }} {{ int "1.0" }} {{ int "1.50" }} {{ int "-3.9" }}',
    '{{ int .Values.float }} {{ int .Values.negfloat }} {{ int .Values.truthy }} {{ int .Values.nul }} {{ int .Values.list }}',
    '{{ int64 .Values.big }} {{ typeOf (int64 .Values.big) }} {{ typeOf (int .Values.big) }} {{ typeOf (float64 1) }}',
    '{{ float64 "abc" }} {{ float64 "1e3" }} {{ float64 .Values.truthy }} {{ float64 "inf" }} {{ float64 "0x1p-2" }} {{ float64 "1_000.5" }}',
    '{{ int "99999999999999999999" }} {{ int 1e30 }} {{ int64 "1e3" }} {{ int "  5" }} {{ int "5.0.0" }}',
    '{{ toDecimal "0777" }} {{ toDecimal "777" }} {{ toDecimal 777 }} {{ toDecimal "8" }} {{ toDecimal .Values.octalstr }} {{ toDecimal 10.0 }} {{ toDecimal .Values.nul }} {{ typeOf (toDecimal "1") }}',
    '{{ int .Values.numstr }} {{ int .Values.floatstr }} {{ float64 .Values.floatstr }}')
add("split", '{{ split "$" "foo$bar$baz" }}', '{{ splitList "," "a,b,c" }} {{ splitList "," "" }}',
    '{{ splitn "$" 2 "foo$bar$baz" }}', '{{ (split "," "a,b")._1 }}', '{{ (split "," "a,b")._5 }}|',
    '{{ splitList "" "abc" }}', '{{ split "" "héllo" }}', '{{ splitn "," 0 "a,b" }}', '{{ splitn "," -1 "a,b,c" }}',
    '{{ splitn "" 2 "abc" }}', '{{ typeOf (split "," "a") }} {{ typeOf (splitList "," "a") }}',
    '{{ len (splitList "," ",,") }}', '{{ index (splitList "/" .Values.path) 1 }}')
add("tostrings", '{{ toStrings (list 1 2 3) }}', '{{ toStrings .Values.mixed }}', '{{ toStrings "x" }}',
    '{{ toStrings .Values.nul }}', '{{ typeOf (toStrings .Values.list) }}', '{{ toStrings 5 }}',
    '{{ toStrings .Values.labels }}', '{{ len (toStrings .Values.mixed) }}')
add("join", '{{ join "," .Values.list }} {{ join "-" .Values.ints }}', '{{ join "," .Values.mixed }}',
    '{{ join "," "abc" }}', '[{{ join "," .Values.nul }}]', '{{ join "" (list 1 nil 2) }}', '{{ join ", " .Values.labels }}')
add("sortalpha", '{{ sortAlpha .Values.list }}', '{{ sortAlpha .Values.mixed }}', '{{ sortAlpha "x" }}',
    '{{ sortAlpha .Values.nul }}', '{{ sortAlpha (list 10 9 100 "B" "a") }}', '{{ typeOf (sortAlpha .Values.list) }}',
    '{{ sortAlpha .Values.labels }}')
add("seq", '{{ seq 5 }} | {{ seq 2 5 }} | {{ seq 5 2 }} | {{ seq 0 2 10 }}', '[{{ seq }}]', '{{ seq 0 }}',
    '{{ seq -3 }}', '{{ seq 1 1 }}', '{{ seq 10 -3 1 }}', '[{{ seq 10 3 1 }}]', '[{{ seq 1 -1 10 }}]',
    '[{{ seq 1 0 10 }}]', '{{ seq 1 2 3 4 }}|', '{{ seq -5 -2 }}', '{{ seq 1 3 10 }}')
add("until", '{{ until 5 }} {{ untilStep 3 6 2 }}', '{{ until 0 }} {{ until -3 }}', '{{ untilStep 0 10 3 }}',
    '{{ untilStep 10 0 -3 }}', '{{ untilStep 0 10 -1 }}', '{{ untilStep 10 0 1 }}', '{{ untilStep 0 10 0 }}',
    '{{ typeOf (until 2) }}', '{{ range until 3 }}{{ . }};{{ end }}', '{{ index (until 3) 2 }}')
add("math", '{{ add 1 2 3 }} {{ sub 10 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ add1 5 }}',
    '{{ add 1 2.9 }} {{ mul .Values.float 2 }} {{ div .Values.big 3 }} {{ add .Values.int 1 }}',
    '{{ add }} {{ mul 5 }} {{ add "3" "4" }} {{ add "x" 1 }} {{ add .Values.nul 1 }} {{ add true true }}',
    '{{ div 1 0 }}', '{{ mod 1 0 }}', '{{ div -7 2 }} {{ mod -7 3 }} {{ mod 7 -3 }}',
    '{{ add 9223372036854775807 1 }}', '{{ typeOf (add 1 1) }} {{ typeOf (add1 1) }} {{ typeOf (max 1 2) }}',
    '{{ sub .Values.float 1 }} {{ add1 .Values.half }} {{ add1 "0x10" }}',
    '{{ max 1 5 3 }} {{ min 4 2 9 }} {{ maxf 1.5 2.5 }} {{ minf 1.5 0.5 }} {{ biggest 3 7 }}',
    '{{ max 1 }} {{ min -3 }} {{ max "10" 9.9 }} {{ min .Values.list 3 }}',
    '{{ maxf 1 "2.5" .Values.float }} {{ minf -1 .Values.neg }} {{ maxf (float64 "nan") 1 }} {{ minf 0 -0.0 }}',
    '{{ mul 3000000000 3000000000 }} {{ sub -9223372036854775807 2 }}')
add("mathf", '{{ addf 1.5 2 }} {{ subf 10 3.3 }} {{ mulf 1.1 3 }} {{ divf 7 2 }}', '{{ mulf 0.1 3 }} {{ addf 0.1 0.2 }}',
    '{{ divf 1 3 }} {{ divf 2 3 }} {{ divf -2 3 }} {{ divf 1e-20 3 }}', '{{ divf 1 0 }}', '{{ addf }} {{ add1f 1.5 }}',
    '{{ mulf 1e308 10 }}', '{{ addf (float64 "inf") 1 }}', '{{ subf 1 }} {{ mulf 2 }} {{ divf 6 }}',
    '{{ addf "1.1" "2.2" }} {{ mulf .Values.float .Values.float }} {{ divf .Values.big 7 }}',
    '{{ typeOf (addf 1 1) }} {{ addf 1 1 }}', '{{ divf 10 4 2 }} {{ subf 1 0.9 }} {{ mulf 123456789.123 1000 }}',
    '{{ divf 1 7 }} {{ divf 100 3 }} {{ divf 1e20 3 }} {{ mulf 0.000001 0.000001 }}', '{{ add1f "x" }} {{ addf 1e-320 1e-320 }}')
add("round", '{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.2345 2 }} {{ round 2.5 0 }}', '{{ round 1.5 0 0.6 }}',
    '{{ round -2.5 0 }} {{ round -1.2345 2 }} {{ round 1234.5678 -2 }}', '{{ ceil "1.2" }} {{ floor .Values.neg }} {{ ceil .Values.nul }}',
    '{{ round .Values.float 3 }} {{ typeOf (ceil 1) }} {{ round 0.125 2 }} {{ round 2.675 2 }}', '{{ round 1.5 0 1 }}')
add("default", '{{ default "d" .Values.empty }} {{ default "d" .Values.str }} {{ default 5 .Values.zero }} {{ default true .Values.falsy }} {{ default "d" .Values.doesnotexist }} {{ default "d" .Values.emptylist }}',
    '{{ default "d" }}', '{{ default "d" .Values.emptymap }} {{ default "d" .Values.labels }}',
    '{{ .Values.empty | default "piped" }}', '{{ default "d" 0.0 }} {{ default "d" .Values.nul }} {{ default .Values.list "x" }}',
    '{{ default "a" "b" "c" }}')
add("empty", '{{ empty .Values.empty }} {{ empty .Values.zero }} {{ empty .Values.falsy }} {{ empty .Values.emptymap }} {{ empty .Values.str }} {{ empty .Values.nul }}',
    '{{ empty .Values.emptylist }} {{ empty .Values.list }} {{ empty 0.0 }} {{ empty .Values.doesnotexist }} {{ empty (dict) }} {{ empty (list) }}')
add("coalesce", '{{ coalesce .Values.nul .Values.empty .Values.zero "first" "second" }}', '[{{ coalesce }}]',
    '[{{ coalesce .Values.nul .Values.empty }}]', '{{ coalesce .Values.emptylist .Values.list }}',
    '{{ all 1 "x" true }} {{ all 1 "" true }} {{ any 0 "" "x" }} {{ any 0 "" }}', '{{ all }} {{ any }}',
    '{{ all .Values.list .Values.labels }} {{ any .Values.emptylist .Values.nul }}')
add("ternary", '{{ ternary "yes" "no" true }} {{ ternary "yes" "no" false }} {{ true | ternary "a" "b" }}',
    '{{ ternary 1 2 .Values.truthy }}', '{{ ternary "a" "b" .Values.nul }}', '{{ ternary "a" "b" 1 }}')
add("fail", '{{ fail "boom" }}', '{{ if false }}{{ fail "no" }}{{ end }}ok', '{{ fail "" }}')
add("json", '{{ toJson .Values.nested }}', '{{ toJson "<a&b>" }} {{ toRawJson "<a&b>" }}',
    '{{ toPrettyJson .Values.labels }}', '{{ toJson .Values.mixed }}', '{{ toJson .Values.big }} {{ toJson .Values.float }}',
    '{{ toJson 1e21 }} {{ toJson 1e-7 }} {{ toJson 1e20 }} {{ toJson 0.000001 }} {{ toJson -1e-7 }} {{ toJson 123456789.0 }}',
    '{{ toJson "\\u2028\\u2029\\b\\f\\n\\r\\t\\u0001\\u007f é" }}', '{{ toJson .Values.nul }} {{ toJson .Values.emptymap }} {{ toJson .Values.emptylist }}',
    '{{ toPrettyJson .Values.nested }}', '{{ toPrettyJson (list) }} {{ toPrettyJson (dict) }} {{ toPrettyJson 1 }}',
    '{{ toPrettyJson (list 1 (list) (dict "a" (list 2))) }}', '{{ toRawJson .Values.html }} {{ toJson .Values.html }}',
    '{{ toJson (float64 "nan") }}|{{ toPrettyJson (float64 "inf") }}|', '{{ mustToJson (float64 "nan") }}',
    '{{ toRawJson (float64 "nan") }}', '{{ mustToRawJson (list 1 "<") }} {{ mustToPrettyJson (dict "a" "<") }}',
    '{{ toJson (until 3) }} {{ toJson (split "," "a,b") }} {{ toJson (add 1 2) }}',
    '{{ $d := dict "a" 1 }}{{ $_ := set $d "self" $d }}{{ toJson $d }}|', '{{ toRawJson "a\\u2028b" }}',
    '{{ toJson (dict "b" 1 "a" 2 "B" 3 "_" 4 "10" 5 "9" 6) }}', '{{ typeOf (toJson 1) }}')
add("fromjson", '{{ fromJson "{\\"a\\":1,\\"b\\":[true,null]}" | toJson }}', '{{ mustFromJson "[1,\\"x\\",{\\"y\\":2.5}]" }}',
    '{{ mustFromJson "" }}', '{{ mustFromJson "[1,]" }}', '{{ mustFromJson "{\\"a\\" 1}" }}', '{{ mustFromJson "{\\"a\\":1,}" }}',
    '{{ mustFromJson "tru" }}', '{{ mustFromJson "trux" }}', '{{ mustFromJson "01" }}', '{{ mustFromJson "[1 2]" }}',
    '{{ mustFromJson "{\\"a\\":1 \\"b\\":2}" }}', '{{ mustFromJson "\\"a\\\\x\\"" }}', '{{ mustFromJson "\\"\\\\u12G4\\"" }}',
    '{{ mustFromJson "-" }}', '{{ mustFromJson "1." }}', '{{ mustFromJson "1e" }}', '{{ mustFromJson "1.5e+3" }}',
    '{{ mustFromJson "1e400" }}', '{{ mustFromJson "\\"\\\\ud83d\\\\ude00 \\\\ud800 x\\"" }}', '{{ mustFromJson "  {}  " }}',
    '{{ mustFromJson "{\\"a\\":1,\\"a\\":2}" }}', '{{ typeOf (mustFromJson "1") }} {{ typeOf (mustFromJson "{}") }}',
    '{{ mustFromJson "nul" }}', '{{ mustFromJson "{1:2}" }}', '{{ mustFromJson "[\\"\\t\\"]" }}', '{{ mustFromJson "\'x\'" }}',
    '{{ mustFromJson "[1] x" }}', '{{ mustFromJson "falsy" }}', '{{ mustFromJson "{\\"a\\"" }}')
add("list", '{{ list 1 "a" nil 2.5 }}', '{{ tuple 1 2 }}', '{{ typeOf (list) }} {{ len (list) }}',
    '{{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.list }} {{ initial .Values.list }} {{ reverse .Values.list }}',
    '[{{ first .Values.emptylist }}] [{{ last .Values.emptylist }}] {{ rest .Values.emptylist }} {{ initial .Values.emptylist }} {{ reverse .Values.emptylist }}',
    '{{ first "abc" }}', '{{ first .Values.nul }}', '{{ mustFirst .Values.labels }}', '{{ last 5 }}', '{{ rest true }}',
    '{{ initial .Values.nul }}', '{{ reverse "x" }}', '{{ first (splitList "," "x,y") }} {{ last (until 4) }}',
    '{{ typeOf (rest (splitList "," "x,y")) }} {{ typeOf (first (until 4)) }}')
add("uniq", '{{ uniq .Values.list }} {{ without .Values.list "a" }} {{ has "b" .Values.list }} {{ has "z" .Values.list }}',
    '{{ uniq (list 1 1.0 "1" 1 nil nil) }}', '{{ uniq .Values.mixed }}', '{{ without .Values.list "a" "b" }}',
    '{{ without .Values.ints 1 }}', '{{ without .Values.ints 1.0 }}', '{{ has 1 .Values.ints }} {{ has 1.0 .Values.ints }}',
    '{{ has "x" .Values.nul }}', '{{ has "x" "xyz" }}', '{{ mustHas nil .Values.mixed }}', '{{ uniq "x" }}',
    '{{ without "x" }}', '{{ uniq (list (list 1) (list 1) (dict "a" 1) (dict "a" 1)) }}', '{{ has (list 1) (list (list 1)) }}')
add("append", '{{ append .Values.list "d" }} {{ prepend .Values.list "z" }} {{ concat .Values.list .Values.ints }}',
    '{{ append .Values.nul "x" }}', '{{ push "abc" "x" }}', '{{ prepend .Values.labels "x" }}',
    '{{ concat }}', '{{ concat .Values.list "x" }}', '{{ concat .Values.list .Values.nul }}',
    '{{ append (splitList "," "a,b") 1 }} {{ typeOf (append (splitList "," "a") "b") }}', '{{ mustAppend (until 2) nil }}',
    '{{ concat (list) (list) }}', '{{ mustPrepend (list) 1 }}', '{{ typeOf (concat (list 1)) }}')
add("slice", '{{ slice .Values.list 1 3 }} {{ slice .Values.list 2 }}', '{{ slice .Values.list }}',
    '{{ slice "abcdef" 1 3 }}', '{{ slice .Values.list 3 1 }}', '{{ slice .Values.list 0 10 }}',
    '{{ slice .Values.emptylist 0 0 }}|', '{{ slice .Values.list "1" "2" }}', '{{ slice .Values.list 1.9 }}',
    '{{ typeOf (slice (splitList "," "a,b,c") 1) }} {{ slice (splitList "," "a,b,c") 1 }}', '{{ slice .Values.nul 1 }}',
    '{{ slice .Values.list -1 }}', '{{ slice .Values.list 1 2 3 }}', '{{ mustSlice .Values.labels 1 }}',
    '{{ slice .Values.list 4 }}', '{{ slice .Values.list 4 4 }}')
add("chunk", '{{ chunk 2 .Values.ints }}', '{{ chunk 1 .Values.list }}', '{{ chunk 10 .Values.list }}',
    '{{ chunk 2 .Values.emptylist }}', '{{ chunk 0 .Values.list }}', '{{ chunk -1 .Values.list }}',
    '{{ chunk 2 "abc" }}', '{{ chunk 4 .Values.list }}', '{{ chunk 3 (until 7) }}', '{{ chunk -1 .Values.emptylist }}',
    '{{ chunk 0 .Values.emptylist }}', '{{ typeOf (chunk 2 .Values.list) }}')
add("compact", '{{ compact (list 1 "" nil 0 "x" false) }}', '{{ compact .Values.mixed }}', '{{ compact "x" }}',
    '{{ compact (list (list) (dict) 0.0 "0") }}', '{{ mustCompact .Values.nul }}')
add("dict", '{{ $d := dict "a" 1 "b" 2 }}{{ get $d "a" }} {{ hasKey $d "b" }} {{ hasKey $d "z" }} {{ keys $d | sortAlpha }} {{ pick $d "a" }} {{ omit $d "a" }}',
    '{{ dict "a" }}', '{{ dict 1 2 nil 3 true 4 }}', '{{ dict }}', '{{ dict "a" 1 "a" 2 }}',
    '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $_ := unset $d "a" }}{{ toJson $d }}',
    '[{{ get .Values.labels "nope" }}] {{ typeOf (get .Values.labels "nope") }}', '{{ get .Values.nested "z" }}|',
    '{{ set .Values.labels "x" 1 }}', '{{ unset (dict "a" 1) "zz" }}', '{{ hasKey .Values.nested "z" }}',
    '{{ pick .Values.nested "a" "zz" "z" }}', '{{ omit .Values.nested "b" "key with space" }}',
    '{{ keys (dict "b" 1) (dict "a" 1) }}', '{{ keys }}', '{{ values (dict "b" 1) }} {{ values .Values.labels | sortAlpha }}', '{{ values (dict) }}',
    '{{ typeOf (keys (dict)) }} {{ typeOf (values (dict)) }}', '{{ get (split "," "a") "_0" }}',
    '{{ get .Values.nul "x" }}|', '{{ set .Values.nul "x" 1 }}', '{{ hasKey .Values.nul "x" }}', '{{ keys .Values.nul }}',
    '{{ $d := dict }}{{ $_ := set $d "k" "v" }}{{ $d.k }}', '{{ pick .Values.labels }}', '{{ $x := .Values.labels }}{{ $_ := set $x "new" 1 }}{{ .Values.labels.new }}')
add("pluck", '{{ pluck "a" (dict "a" 1) (dict "a" 2) (dict "b" 3) }}', '{{ pluck "name" (index .Values.maps 0) (index .Values.maps 1) }}',
    '{{ pluck "x" }}', '{{ pluck "z" .Values.nested }}', '{{ typeOf (pluck "a") }}')
add("dig", '{{ dig "b" "d" "e" "none" .Values.nested }} {{ dig "b" "zz" "none" .Values.nested }}',
    '{{ dig "a" "none" .Values.nested }}', '{{ dig "b" "c" "none" .Values.nested }}', '{{ dig "a" "x" "none" .Values.nested }}',
    '{{ dig "none" .Values.nested }}', '{{ dig "a" "d" .Values.str }}', '{{ dig 1 "d" .Values.nested }}',
    '{{ dig "z" "d" .Values.nested }}|', '{{ dig "z" "y" "d" .Values.nested }}', '{{ dig "a" "d" .Values.nul }}',
    '{{ dig "x" "d" (split "," "a") }}', '{{ .Values.nested | dig "b" "d" "e" "nf" }}', '{{ dig "x" nil (dict) }}|')
add("merge", '{{ toJson (merge (dict "a" 1 "b" (dict "c" 2)) (dict "b" (dict "d" 3) "e" 4)) }}',
    '{{ toJson (merge (dict "b" false "c" "") (dict "b" true "c" "z")) }}',
    '{{ toJson (mergeOverwrite (dict "a" 1 "b" (dict "c" 2)) (dict "a" 9 "b" (dict "c" 8 "d" 3))) }}',
    '{{ toJson (merge (dict "a" 1) (dict "a" nil "b" nil)) }}', '{{ toJson (mergeOverwrite (dict "a" 1) (dict "a" nil "b" nil)) }}',
    '{{ toJson (mergeOverwrite (dict "a" 1 "b" "x") (dict "a" 0 "b" "")) }}',
    '{{ toJson (merge (dict "l" (list 1)) (dict "l" (list 2 3) "m" (list 4))) }}',
    '{{ toJson (mergeOverwrite (dict "l" (list 1)) (dict "l" (list))) }}', '{{ toJson (merge (dict "l" (list)) (dict "l" (list 5))) }}',
    '{{ toJson (merge (dict "a" "str") (dict "a" (dict "x" 1))) }}', '{{ toJson (mergeOverwrite (dict "a" "str") (dict "a" (dict "x" 1))) }}',
    '{{ toJson (merge (dict "a" (dict "x" 1)) (dict "a" "str")) }}', '{{ toJson (mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" "str")) }}',
    '{{ toJson (merge (dict "a" (dict)) (dict "a" (dict "x" 1))) }}', '{{ toJson (merge (dict) (dict "a" 1) (dict "a" 2 "b" 3)) }}',
    '{{ $dst := dict "a" 1 }}{{ $_ := merge $dst (dict "b" 2) }}{{ toJson $dst }}',
    '{{ $src := dict "x" 1 }}{{ $dst := merge (dict) (dict "s" $src) }}{{ $_ := set $src "y" 2 }}{{ toJson $dst }}',
    '{{ $inner := dict "x" 1 }}{{ $dst := dict "s" $inner }}{{ $_ := merge $dst (dict "s" (dict "y" 2)) }}{{ toJson $inner }}',
    '{{ toJson (merge .Values.emptymap .Values.labels) }} {{ toJson .Values.emptymap }}', '{{ merge (dict "a" 1) }}',
    '{{ toJson (merge (dict "a" 0 "b" (list) "c" (dict)) (dict "a" 5 "b" (list 1) "c" (dict "d" 1))) }}',
    '{{ toJson (mustMerge (dict "n" nil) (dict "n" 1)) }}', '{{ toJson (mustMergeOverwrite (dict "a" (dict "b" (dict "c" 1))) (dict "a" (dict "b" (dict "d" 2)))) }}',
    '{{ typeOf (merge (dict) (dict)) }}', '{{ toJson (merge (dict "a" (dict "b" 1)) (dict "a" (dict))) }}',
    '{{ toJson (mergeOverwrite (dict "a" (dict "b" 1)) (dict "a" (dict))) }}', '{{ toJson (merge (dict "a" (dict)) (dict "a" (dict))) }}',
    '{{ toJson (merge (dict "a" (list)) (dict "a" "x")) }}', '{{ toJson (merge (dict "x" 1) .Values.nul) }}',
    '{{ toJson (mergeOverwrite (dict "a" (list 1)) (dict "a" (dict "b" 1))) }}')
add("deepcopy", '{{ $c := deepCopy .Values.labels }}{{ $_ := set $c "new" "x" }}{{ toJson $c }} {{ toJson .Values.labels }}',
    '{{ deepCopy .Values.list }} {{ deepCopy 1 }} {{ deepCopy "s" }}', '{{ deepCopy .Values.nul }}|', '{{ typeOf (deepCopy .Values.nul) }}',
    '{{ $c := deepCopy .Values.nested }}{{ $_ := set $c.b "new" 1 }}{{ toJson .Values.nested.b }}',
    '{{ typeOf (mustDeepCopy (split "," "a")) }} {{ mustDeepCopy (until 3) }}')
add("reflect", '{{ typeOf .Values.int }} {{ typeOf .Values.str }} {{ typeOf .Values.list }} {{ typeOf .Values.nested }} {{ typeOf .Values.nul }} {{ typeOf 1 }} {{ typeOf 1.5 }}',
    '{{ kindOf .Values.int }} {{ kindOf .Values.list }} {{ kindIs "map" .Values.nested }} {{ typeIs "string" .Values.str }} {{ typeIsLike "float64" .Values.int }}',
    '{{ kindOf .Values.nul }} {{ kindOf "x" }} {{ kindOf true }} {{ kindOf 1 }} {{ kindOf (int64 1) }} {{ kindOf (dict) }} {{ kindOf (until 1) }}',
    '{{ typeOf (list) }} {{ typeOf (dict) }} {{ typeOf (tuple 1) }} {{ typeOf true }} {{ typeOf (b64enc "x") }}',
    '{{ typeIs "int" 1 }} {{ typeIs "int64" 1 }} {{ typeIsLike "int" 1 }} {{ kindIs "invalid" .Values.nul }} {{ kindIs "slice" .Values.list }}',
    '{{ deepEqual .Values.list (list "b" "a" "c" "a") }} {{ deepEqual 1 1.0 }}', '{{ deepEqual .Values.nul nil }} {{ deepEqual (dict "a" 1) (dict "a" 1) }} {{ deepEqual (list) .Values.emptylist }}',
    '{{ deepEqual 1 1 }} {{ deepEqual (int64 1) 1 }} {{ deepEqual .Values.labels .Values.labels }} {{ deepEqual (splitList "," "a") (list "a") }}',
    '{{ typeOf (index .Values.list 0) }} {{ typeOf (index "abc" 0) }}')
add("path", '{{ base "/a/b/c.txt" }} {{ dir "/a/b/c.txt" }} {{ ext "c.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/x" }}',
    '{{ base "" }} {{ base "/" }} {{ base "a/b/" }} {{ dir "" }} {{ dir "a" }} {{ dir "/a" }} {{ dir "a/b/" }}',
    '{{ clean "" }} {{ clean "/../a" }} {{ clean "../../a/.." }} {{ clean "./" }} {{ clean "a/./b/.." }}',
    '[{{ ext "a" }}] {{ ext "a.b/c" }} {{ ext ".bashrc" }} {{ ext "a." }} {{ isAbs "x" }} {{ isAbs "" }}',
    '{{ osBase .Values.path }} {{ osDir .Values.path }} {{ osExt .Values.path }} {{ osClean "/a/../../b" }} {{ osIsAbs .Values.path }}')
add("regex", '{{ regexMatch "^[a-z]+$" "hello" }} {{ regexFind "[0-9]+" "abc123def456" }} {{ regexFindAll "[0-9]+" "a1b22c333" -1 }}',
    '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-" "${1}" }}',
    '{{ regexSplit "z+" "pizza" -1 }} {{ regexQuoteMeta "1.2.3" }}', '{{ regexMatch "[" "x" }}', '{{ mustRegexMatch "[" "x" }}',
    '{{ regexFind "[" "x" }}', '{{ regexFindAll "a**" "x" 1 }}', '{{ mustRegexFindAll "(" "x" 1 }}',
    '{{ regexReplaceAll "(\\\\w+)" "abc def" "$1x" }}|', '{{ regexReplaceAll "(\\\\w+)" "abc def" "${1}x" }}',
    '{{ regexFindAll "a*" "baaac" -1 }}', '{{ regexReplaceAll "a*" "baaac" "X" }}', '{{ regexSplit "a*" "baaac" -1 }}',
    '{{ regexSplit "" "abc" -1 }}', '{{ regexSplit "x" "" -1 }}', '{{ regexSplit "" "" -1 }}', '{{ regexSplit "," "a,b,c" 2 }}',
    '{{ regexSplit "," "a,b,c" 0 }}', '{{ regexSplit "," ",a," -1 }}', '{{ regexFindAll "." "abc" 2 }}', '{{ regexFindAll "." "abc" 0 }}',
    '{{ regexFindAll "x" "abc" -1 }}', '{{ regexMatch "\\\\d" "٣" }} {{ regexMatch "\\\\w" "é" }} {{ regexMatch "\\\\s" "\\u00a0" }}',
    '{{ regexMatch "^abc$" "abc\\n" }} {{ regexMatch "(?m)^abc$" "x\\nabc\\ny" }} {{ regexMatch "a.c" "a\\nc" }} {{ regexMatch "(?s)a.c" "a\\nc" }}',
    '{{ regexFind "\\\\bfoo\\\\b" "éfoo bar" }}|{{ regexFind "(?i)straße" "STRASSE" }}|{{ regexFind "(?i)k" "\\u212a" }}',
    '{{ regexFind "(?U)a+" "aaa" }} {{ regexFind "(?U)a+?" "aaa" }} {{ regexFind "a{2,}" "aaaa" }} {{ regexFind "a{2}" "aaaa" }}',
    '{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "${last}, $first" }}',
    '{{ regexReplaceAll "(a)(b)?" "a" "[$2][$1][$3][$$][$][${1]" }}', '{{ regexReplaceAll "(a)" "a" "$01 $1a ${01} ${1}a" }}',
    '{{ regexReplaceAll "(?<x>a)" "a" "${x}!" }}', '{{ regexFind "\\\\Qa.b\\\\E+" "a.bbb" }} {{ regexFind "\\\\x41\\\\x{42}\\\\101" "ABA" }}',
    '{{ regexFind "[[:alpha:]]+" "123abc" }} {{ regexFind "[^[:digit:]]+" "123abc" }} {{ regexFind "\\\\pL+" "12héllo" }} {{ regexFind "\\\\p{Greek}+" "abcαβγ" }}',
    '{{ regexMatch "a{1001}" "a" }}', '{{ mustRegexMatch "a{1001}" "a" }}', '{{ mustRegexMatch "(a{500}){3}" "a" }}',
    '{{ mustRegexMatch "x**" "a" }}', '{{ mustRegexMatch "*" "a" }}', '{{ mustRegexMatch "(?x)a" "a" }}', '{{ mustRegexMatch "\\\\8" "a" }}',
    '{{ mustRegexMatch "[z-a]" "a" }}', '{{ mustRegexMatch "a)" "a" }}', '{{ mustRegexMatch "(?P<1a>x)" "x" }}',
    '{{ mustRegexMatch "(?P<a-b>x)" "x" }}', '{{ mustRegexMatch "\\\\p{Foo}" "x" }}', '{{ mustRegexMatch "[[:foo:]]" "x" }}',
    '{{ mustRegexMatch "\\\\C" "x" }}', '{{ mustRegexMatch "a\\\\" "x" }}', '{{ mustRegexMatch "(?i" "x" }}',
    '{{ mustRegexMatch "\\\\p{Letter}" "x" }} {{ mustRegexMatch "\\\\p{greek}" "α" }} {{ mustRegexMatch "\\\\p{^L}" "1" }}',
    '{{ regexFind "(?i)[a-c]+" "xABCx" }} {{ regexFind "(?i:A)b" "ab Ab aB" }} {{ regexFind "a(?i)b" "aB" }} {{ regexFind "(?i)a(?-i)b" "Ab AB" }}',
    '{{ mustRegexReplaceAll "(" "x" "y" }}', '{{ mustRegexReplaceAllLiteral "a" "banana" "$0" }}', '{{ mustRegexSplit "[" "x" 1 }}',
    '{{ regexReplaceAll "" "abc" "-" }}', '{{ regexReplaceAll "b*" "abc" "-" }}', '{{ regexReplaceAll "x*" "héllo" "-" }}',
    '{{ regexFindAll "" "héllo" -1 }}', '{{ regexSplit "l" "héllo" -1 }}', '{{ regexQuoteMeta "\\\\.+*?()|[]{}^$ x" }}',
    '{{ regexMatch "a{,2}" "a{,2}" }} {{ regexMatch "a{2" "a{2" }} {{ regexMatch "x{01}" "x{01}" }}', '{{ regexFind "a|" "b" }}|{{ regexFind "(|a)b" "ab" }}',
    '{{ regexFind "\\\\Aab\\\\z" "ab" }} {{ regexFind "\\\\Bb" "ab" }} {{ regexFind "[\\\\d\\\\-x]+" "1-x2" }} {{ regexFind "[^\\\\n]+" "ab\\ncd" }}',
    '{{ regexFind "(a)|b" "b" }} {{ regexReplaceAll "(a)|b" "b" "[$1]" }}', '{{ typeOf (regexFindAll "a" "a" -1) }} {{ typeOf (regexSplit "a" "a" -1) }}',
    '{{ regexFind "\\\\x{1F600}" "😀" }} {{ regexFind "[\\\\x{1F600}-\\\\x{1F64F}]" "x😃" }} {{ regexFind "\\\\0" "a\\u0000" | len }}',
    '{{ mustRegexMatch "\\\\x{110000}" "x" }}', '{{ mustRegexMatch "\\\\xZZ" "x" }}', '{{ mustRegexMatch "[a" "x" }}', '{{ mustRegexMatch "(?P<n>" "x" }}',
    '{{ mustRegexMatch "(?P<n" "x" }}', '{{ mustRegexMatch "(?i-)" "x" }}', '{{ mustRegexMatch "(?)" "x" }} {{ mustRegexMatch "()" "x" }}',
    '{{ mustRegexMatch "\\\\Q" "x" }} {{ mustRegexMatch "(?:)" "" }}', '{{ mustRegexMatch "\\\\pN" "5" }} {{ mustRegexMatch "\\\\p" "x" }}',
    '{{ regexFind "(?i)σ" "Σ" }} {{ regexFind "(?i)[k]" "\\u212a" }} {{ regexMatch "(?i)\\\\W" "\\u212a" }} {{ regexFind "^" "x" }}|',
    '{{ mustRegexMatch "a{2}{3}" "x" }}', '{{ mustRegexMatch "a{2}*" "x" }}', '{{ mustRegexMatch "a*?*" "x" }}', '{{ mustRegexMatch "(?i)*" "x" }}',
    '{{ mustRegexMatch "a(?i)*" "a" }}', '{{ mustRegexMatch "^*" "" }} {{ mustRegexMatch "$+" "" }}', '{{ mustRegexMatch "(|)+" "" }}',
    '{{ mustRegexMatch "((a{10}){10}){10}" "x" }}', '{{ mustRegexMatch "((a{10}){10}){11}" "x" }}', '{{ mustRegexMatch "(a{0}){1000}" "x" }}',
    '{{ mustRegexMatch "(?P<a>x)(?P<a>y)" "xy" }} {{ regexReplaceAll "(?P<a>x)|(?P<a>y)" "y" "[$a]" }}',
    '{{ regexFind "[]a]+" "]a]" }} {{ regexFind "[^]a]+" "]bc" }} {{ regexFind "[a-]+" "a-a" }} {{ regexFind "[-a]+" "-a-" }}',
    '{{ regexFind "\\\\PL+" "ab12cd" }} {{ regexFind "\\\\P{^L}+" "12ab" }} {{ regexFind "[\\\\p{Lu}]+" "abCDe" }} {{ regexFind "\\\\p{Any}" "é" }}')
add("missing", '{{ .Values.str | upper | replace "WORLD" "THERE" | quote }}', '{{ list 1 2 | toJson }}',
    '{{ upper 1 }}', '{{ repeat "3" "x" }}', '{{ trunc .Values.int "abc" }}', '{{ get .Values.list "a" }}',
    '{{ add1 }}', '{{ indent 2 }}', '{{ ternary 1 2 "true" }}', '{{ join "," }}', '{{ typeOf }}', '{{ sha256sum 1 }}')

add("b2str", '{{ wrap 3 "héllo wörld" }}', '{{ wrapWith 3 "|" "héllo" }}', '{{ abbrev 5 "héllo wörld" }}',
    '{{ .Values.str | trunc 63 | trimSuffix "-" }}', '{{ printf "%s-%s" "rel" "chart" | trunc 5 | trimSuffix "-" }}',
    '{{ title "élan vital ǆungla" }}', '{{ lower "ΑΒΓ ΣΑΣ" }}', '{{ upper "ﬁ ŉ" }}', '{{ swapcase "ǅemal ǆ Ǆ" }}',
    '{{ initials "  " }}|', '{{ snakecase "MyHTTPServer2Go" }}', '{{ snakecase "getHTTPResponseCode" }}',
    '{{ snakecase "v1beta1" }}', '{{ snakecase "IPAddress" }}', '{{ kebabcase "ReleaseName" }}', '{{ kebabcase "my.chart_name" }}',
    '{{ camelcase "my-chart-name" }}', '{{ camelcase "release name" }}', '{{ camelcase "API_KEY" }}', '{{ camelcase "x" }}',
    '{{ snakecase "with  double  spaces" }}', '{{ snakecase "tab\tseparated" }}', '{{ snakecase "__init__" }}',
    '{{ snakecase "ABCDef" }}', '{{ snakecase "A1" }}', '{{ snakecase "1A" }}', '{{ snakecase "a-1-b" }}', '{{ snakecase "HTTP2Server" }}',
    '{{ snakecase "x.Y" }}', '{{ snakecase "Ñandú Çedilla" }}', '{{ snakecase "½half" }}', '{{ snakecase "a😀b" }}',
    '{{ nospace "a\u2003b\u00a0c" }}', '{{ trim "\u0085x\u0085" }}|', '{{ replace "." "-" "1.2.3" }}', '{{ repeat 2 .Values.unicode }}',
    '{{ adler32sum (repeat 1000 "abcdefghij") }}', '{{ sha256sum (toJson .Values.nested) }}',
    '{{ indent 2 "a\\r\\nb" }}', '{{ substr 0 3 "héllo" }}|', '{{ trunc 2 "héllo" }}|', '{{ abbrevboth 1 8 "héllo wörld abc" }}')
add("b2json", '{{ toJson 1.5e-7 }} {{ toJson -0.0 }} {{ toJson 5e-324 }} {{ toJson 1.7976931348623157e308 }} {{ toJson 100.0 }} {{ toJson 0.1 }}',
    '{{ toJson (list 1e6 1e-6 123456789012 0.000001234) }}', '{{ toPrettyJson "<x>" }} {{ toRawJson (dict "<k>" "&") }} {{ toJson (dict "<k>" "&") }}',
    '{{ toJson (list "\u00e9\U0001F600" "\\\\" "/") }}', '{{ toJson (index "abc" 0) }} {{ toJson (int64 5) }} {{ toJson true }}',
    '{{ toPrettyJson .Values.maps }}', '{{ toPrettyJson (dict "a" (dict "b" (dict)) "c" (list (list))) }}',
    '{{ toJson (b64enc "x") }} {{ toJson (splitList "," "a,b") }}', '{{ (fromJson "{\\"a\\":{\\"b\\":[1,2]}}").a.b }}', '{{ mustFromJson "\\"\\\\u00e9\\\\/\\\\b\\"" | toJson }}',
    '{{ mustFromJson "123456789012345678901234567890" }} {{ mustFromJson "-0" }} {{ mustFromJson "1E2" }} {{ mustFromJson "0.5e-3" }}',
    '{{ mustFromJson "\\"\\\\ud83d\\"" | toJson }} {{ mustFromJson "\\"\\\\udc00\\\\ud800\\"" | toJson }}', '{{ mustFromJson "[[[]]]" }}',
    '{{ toJson (mustFromJson "{\\"b\\":1,\\"a\\":[{}]}") }}', '{{ mustFromJson " \\t\\n\\r 1 \\n" }}', '{{ mustFromJson "\\u00a01" }}')
add("b2math", '{{ round -0.5 0 }} {{ round 0.5 0 }} {{ round 1.005 2 }} {{ round 123.456 -1 }} {{ round 5 2 }}',
    '{{ add1 .Values.big }} {{ sub .Values.big .Values.float }} {{ mul .Values.half 4 }} {{ div .Values.neg 2 }} {{ mod .Values.neg 3 }}',
    '{{ maxf .Values.float .Values.half .Values.negfloat }} {{ minf "x" 1 }} {{ max .Values.half .Values.neg }} {{ min 3 "2" }}',
    '{{ addf .Values.float .Values.half }} {{ subf .Values.float 0.14159 }} {{ mulf .Values.half .Values.half .Values.half }} {{ divf .Values.big 3 }}',
    '{{ divf 1 3 3 }} {{ mulf 1.15 100 }} {{ mulf 19.99 3 }} {{ addf 1e16 1 }} {{ subf 0.3 0.1 }} {{ divf 10 3 }}',
    '{{ divf 0.1 0.3 }} {{ divf 2 0.7 }} {{ divf -1 3 }} {{ divf 5e-17 1 }} {{ divf 1 -8 }} {{ add1f -1 }}',
    '{{ floor -1.5 }} {{ ceil -1.5 }} {{ floor "3.9" }} {{ ceil true }} {{ round "2.345" 2 }}',
    '{{ int64 1e19 }} {{ int -1e19 }} {{ int64 (float64 "nan") }} {{ toDecimal "-17" }} {{ toDecimal "0o17" }} {{ toDecimal "1_0" }}',
    '{{ seq 3 -1 1 }} {{ seq -1 -3 }} {{ seq 2 2 }} {{ seq 0 0 }} {{ seq 0 -1 0 }}', '{{ until 1 }} {{ untilStep -3 3 2 }} {{ untilStep 3 -3 -2 }}')
add("b2list", '{{ has "a" (splitList "," "a,b") }} {{ has 1 (until 3) }} {{ has (int64 1) (until 3) }}',
    '{{ without (until 5) 1 3 }} {{ uniq (list 1 (int64 1) "1") }} {{ reverse (until 3) }} {{ typeOf (index (reverse (until 3)) 0) }}',
    '{{ compact (splitList "," "a,,b") }} {{ first (list) }}|{{ slice (until 5) 1 3 }} {{ typeOf (slice (until 5) 1 3) }}',
    '{{ concat (until 2) (splitList "," "x") (list nil) }}', '{{ chunk 2 (splitList "," "a,b,c") }} {{ chunk 3 (list 1 2 3) }}',
    '{{ prepend (until 2) "x" }} {{ append (list) (list) }} {{ initial (list 1) }} {{ rest (list 1) }}',
    '{{ sortAlpha (list "b" "B" "a" "_" "1" "é" "A") }} {{ sortAlpha (until 12) }} {{ sortAlpha (list 1.5 true nil "x") }}',
    '{{ join "," (until 3) }} {{ join "" (list "a" nil "b") }} {{ join "," (dict "a" 1) }} {{ join "," 5 }}',
    '{{ toStrings (until 3) }} {{ toStrings (list (list 1) (dict "a" 1)) }} {{ typeOf (toStrings nil) }}',
    '{{ has nil (list nil) }} {{ has nil (list) }} {{ mustHas "a" "a" }}', '{{ last (splitList "/" "a/b/c") }} {{ first (splitList "" "") }}|',
    '{{ tuple }} {{ list nil }} {{ len (list nil nil) }}', '{{ slice (list 1 2 3) 3 }} {{ slice (list 1 2 3) 0 0 }}',
    '{{ slice (until 3) 1 1 }}|{{ typeOf (slice (until 3) 1 1) }}')
add("b2dict", '{{ dict "a" (dict "b" 1) | toJson }} {{ (dict "a" 1).a }} {{ typeOf (dict "a" 1).a }}',
    '{{ $d := dict "b" 2 }}{{ $e := set $d "a" 1 }}{{ $e }} {{ $d }}', '{{ omit (dict "a" 1 "b" 2 "c" 3) "a" "c" }} {{ pick (dict "a" 1) "a" "a" }}',
    '{{ hasKey (dict "" 1) "" }} {{ get (dict "" 1) "" }}', '{{ dig "a" "b" 0 (dict "a" (dict "b" nil)) }}|', '{{ dig "a" 1 (dict "a" 0) }}',
    '{{ pluck "a" (dict "a" nil) (dict "a" 0) }}', '{{ keys (dict "b" 1) (dict "b" 2) }}',
    '{{ toJson (merge (dict "a" (list 1 2)) (dict "a" (list))) }} {{ toJson (mergeOverwrite (dict "a" (list 1 2)) (dict "a" nil)) }}',
    '{{ toJson (merge (dict "a" (dict "b" (dict "c" 1 "d" "")) "e" 0) (dict "a" (dict "b" (dict "c" 2 "d" "x" "f" false)) "e" 7)) }}',
    '{{ toJson (mergeOverwrite (dict "a" (dict "b" (dict "c" 1 "d" "keep"))) (dict "a" (dict "b" (dict "c" 0 "d" "")))) }}',
    '{{ toJson (merge (dict "a" false) (dict "a" true) (dict "a" "str")) }} {{ toJson (mergeOverwrite (dict "a" 1) (dict "a" 2) (dict "a" 3)) }}',
    '{{ $v := deepCopy .Values }}{{ $_ := merge $v.labels (dict "app" "other" "x" "y") }}{{ toJson $v.labels }} {{ toJson .Values.labels }}',
    '{{ toJson (merge (dict) .Values.nested) }}', '{{ toJson (mergeOverwrite (deepCopy .Values.nested) (dict "b" (dict "c" (list "z")))) }}',
    '{{ $a := dict "x" (dict "y" 1) }}{{ $m := merge (dict) $a }}{{ $_ := set $m.x "z" 2 }}{{ toJson $a }}',
    '{{ $a := dict "x" (dict "y" 1) }}{{ $m := merge (dict "x" (dict "w" 0)) $a }}{{ $_ := set $a.x "z" 2 }}{{ toJson $m }}',
    '{{ toJson (merge (dict "a" 1) (dict "a" (dict "b" 1))) }} {{ toJson (merge (dict "a" "") (dict "a" (list 1))) }}',
    '{{ toJson (mergeOverwrite (dict "a" (dict)) (dict "a" (dict))) }} {{ toJson (mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" (dict))) }}')
add("b2regex", '{{ regexReplaceAll "[^a-z0-9-]" (lower "My Chart_Name.v2") "-" }}', '{{ regexFind "v?([0-9]+)\\\\.([0-9]+)" "v1.23.4" }}',
    '{{ regexReplaceAll "^v?([0-9]+)\\\\.([0-9]+).*$" "v1.23.4-gke" "${1}.${2}" }}', '{{ regexSplit "\\\\s+" " a  b c " -1 }}',
    '{{ regexFindAll "(?i)[aeiou]" "HellO" -1 }}', '{{ regexMatch "^[[:alnum:]-]+$" "abc-123" }}', '{{ regexReplaceAllLiteral "\\\\$" "a$b" "$$" }}',
    '{{ regexFind "(?s).+" "a\\nb" }}|{{ regexFind ".+" "a\\nb" }}', '{{ regexFindAll "^\\\\w" "ab\\ncd" -1 }} {{ regexFindAll "(?m)^\\\\w" "ab\\ncd" -1 }}',
    '{{ regexFindAll "\\\\w$" "ab\\ncd\\n" -1 }} {{ regexFindAll "(?m)\\\\w$" "ab\\ncd\\n" -1 }}', '{{ regexReplaceAll "(?i)HELLO" "hello Hello" "x" }}',
    '{{ regexFind "\\\\p{Han}+" "abc漢字def" }} {{ regexFind "\\\\p{Lu}" "aBc" }} {{ regexFind "\\\\PL" "ab1" }} {{ regexFind "[\\\\p{Nd}]+" "x٣٤" }}',
    '{{ regexFind "\\\\p{Latin}+" "αabc" }} {{ regexFind "\\\\p{L}\\\\p{M}*" "é" }} {{ regexMatch "\\\\p{Cased_Letter}" "a" }} {{ regexMatch "\\\\p{lu}" "A" }}',
    '{{ regexSplit "(,)" "a,b" -1 }} {{ regexSplit "," "a,b,c" 1 }} {{ regexSplit "," "a,b,c" -5 }} {{ regexSplit "$" "abc" -1 }} {{ regexSplit "^" "abc" -1 }}',
    '{{ regexReplaceAll "(?P<y>\\\\d{4})-(?P<m>\\\\d{2})" "2024-01" "$m/$y" }} {{ regexReplaceAll "(\\\\d)" "a1b2" "<$1>" }}',
    '{{ regexReplaceAll "a|ab" "ab" "X" }} {{ regexFind "a|ab" "ab" }} {{ regexFind "(a|ab)(c|bcd)" "abcd" }} {{ regexFind "a+?" "aaa" }} {{ regexFind "a*?b" "aab" }}',
    '{{ regexReplaceAll "" "" "x" }} {{ regexReplaceAll "$" "ab" "!" }} {{ regexReplaceAll "^" "ab" "!" }} {{ regexReplaceAll "\\\\b" "ab cd" "|" }}',
    '{{ regexFindAll "\\\\B" "abc" -1 | len }} {{ regexReplaceAll "\\\\B" "abc" "-" }} {{ regexFindAll "" "" -1 | len }}',
    '{{ regexQuoteMeta "a+b" | regexMatch "^a\\\\+b$" }}', '{{ regexMatch (regexQuoteMeta "[x]") "[x]" }}',
    '{{ regexFind "[[:^alpha:]]+" "ab12cd" }} {{ regexFind "[[:upper:][:digit:]]+" "abC1D" }} {{ regexFind "(?i)[[:upper:]]+" "abC" }}',
    '{{ regexFind "[\\\\w&&x]+" "a&&x" }} {{ regexFind "[a~~b]+" "~~ab" }} {{ regexFind "[a-c--b]+" "ab-c" }}',
    '{{ regexFind "x{0}y" "xy" }} {{ regexFind "x{2,3}?" "xxxx" }} {{ regexFind "(?U)x{2,3}" "xxxx" }} {{ regexFind "(?U)x{2,3}?" "xxxx" }}',
    '{{ mustRegexMatch "[[:word:]]" "_" }} {{ mustRegexMatch "[\\\\Q]\\\\E]" "]" }}', '{{ mustRegexMatch "\\\\Q" "" }} {{ regexFind "a\\\\Q\\\\E*" "aaa" }}',
    '{{ mustRegexMatch "(?P<name>a)(?P<name2>b)" "ab" }}', '{{ mustRegexMatch "(?s-s:.)" "\\n" }} {{ mustRegexMatch "(?i-s:a)" "A" }}',
    '{{ mustRegexMatch "(?im)^A$" "x\\na" }} {{ mustRegexMatch "(?-m)^a$" "x\\na" }}', '{{ mustRegexMatch "(?--i)" "x" }}',
    '{{ mustRegexMatch "(?i)(?-i)A" "a" }} {{ mustRegexMatch "((?i)a)A" "aA" }} {{ mustRegexMatch "((?i)a)A" "aa" }}',
    '{{ mustRegexMatch "\\\\x{}" "x" }}', '{{ mustRegexMatch "\\\\x{g}" "x" }}', '{{ mustRegexMatch "\\\\x{41" "x" }}', '{{ mustRegexMatch "\\\\xA" "x" }}',
    '{{ mustRegexMatch "\\\\1" "x" }}', '{{ mustRegexMatch "\\\\12" "\\n" }} {{ mustRegexMatch "\\\\0" "\\u0000" }} {{ mustRegexMatch "\\\\123" "S" }}',
    '{{ mustRegexMatch "\\\\_" "_" }} {{ mustRegexMatch "\\\\-" "-" }} {{ mustRegexMatch "\\\\ " " " }} {{ mustRegexMatch "\\\\!" "!" }}',
    '{{ mustRegexMatch "\\\\é" "é" }}', '{{ mustRegexMatch "\\\\q" "q" }}', '{{ mustRegexMatch "[\\\\q]" "q" }}', '{{ mustRegexMatch "[a-\\\\d]" "q" }}',
    '{{ mustRegexMatch "[\\\\d-z]" "-" }}', '{{ mustRegexMatch "\\\\pZ" " " }} {{ mustRegexMatch "\\\\p{Zs}" " " }} {{ mustRegexMatch "\\\\p{Any}" "x" }}',
    '{{ mustRegexMatch "\\\\p{Assigned}" "x" }} {{ mustRegexMatch "\\\\p{ASCII}" "é" }} {{ mustRegexMatch "\\\\p{Cn}" "\\U000E0080" }} {{ mustRegexMatch "\\\\p{LC}" "a" }}',
    '{{ mustRegexMatch "\\\\p{Old_Italic}" "x" }}', '{{ mustRegexMatch "\\\\p{Letter}" "x" }}', '{{ mustRegexMatch "\\\\p{Uppercase Letter}" "X" }}',
    '{{ mustRegexMatch "\\\\p{is_greek}" "x" }}', '{{ mustRegexMatch "\\\\p{sc=Greek}" "x" }}', '{{ mustRegexMatch "\\\\p{L" "x" }}', '{{ mustRegexMatch "\\\\p{}" "x" }}',
    '{{ mustRegexMatch "[[:alpha:]" "x" }}', '{{ mustRegexMatch "[[:alpha]]" "x" }}', '{{ mustRegexMatch "[]" "x" }}', '{{ mustRegexMatch "[^]" "x" }}',
    '{{ mustRegexMatch "x{2}{,3}" "x{,3}" }} {{ mustRegexMatch "x{99999999999}" "x{99999999999}" }}', '{{ mustRegexMatch "x{1000}" "x" }}',
    '{{ mustRegexMatch "x{1000,1001}" "x" }}', '{{ mustRegexMatch "x{2,1}" "x" }}', '{{ mustRegexMatch "(x{2}){501}" "x" }}', '{{ mustRegexMatch "(x{2}){500}" "x" }}',
    '{{ mustRegexMatch "(?:x{2}|y{600}){2}" "x" }}', '{{ mustRegexMatch "(x{0,5}){201}" "x" }}', '{{ mustRegexMatch "(x*){1000}" "x" }}',
    '{{ mustRegexMatch "(x{10,}){101}" "x" }}', '{{ mustRegexMatch "((x){2}){1}" "xx" }}', '{{ mustRegexMatch "(?i)Ǳ" "ǳ" }} {{ mustRegexMatch "(?i)ß" "ẞ" }}',
    '{{ mustRegexMatch "a{,5}" "a{,5}" }} {{ mustRegexMatch "{" "{" }} {{ mustRegexMatch "a{" "a{" }} {{ mustRegexMatch "}" "}" }} {{ mustRegexMatch "{2}" "x" }}')

add("b3nil", '{{ set nil "a" 1 }}', '{{ merge nil (dict "a" 1) }}',
    '{{ unset nil "a" }}|{{ pick nil "a" }}|{{ omit nil }}|{{ keys nil }}|{{ values nil }}|{{ get nil "a" }}|{{ hasKey nil "a" }}',
    '{{ pluck "a" nil (dict "a" 1) }}', '{{ mergeOverwrite nil (dict "a" 1) }}|{{ mustMerge nil nil }}', '{{ chunk 2 nil }}', '{{ concat nil }}')

add("b4idiom", '{{ mulf (trimSuffix "gi" "2gi" | float64) 0x1p30 }}', '{{ printf "%dMiB" (divf 1073741824 0x1p20 | floor | int64) }}',
    '{{ mulf (trimSuffix "e" "3e" | float64) 1e18 }} {{ mulf 0.9 2147483648 }} {{ divf (mulf 3 0x1p60) 0x1p20 }}',
    '{{ $m := mulf (trimSuffix "mi" "512mi" | float64) 0x1p20 }}{{ $m }} {{ mulf $m 0.9 }} {{ printf "%dMiB" (divf (mulf $m 0.9) 0x1p20 | floor | int64) }}',
    '{{ lt (float64 "0.5") 1.0 }} {{ kindIs "float64" .Values.int }} {{ printf "%.0f" .Values.big }} {{ .Values.big | int64 }}',
    '{{ regexMatch `^v?\\d+(\\.\\d+)?(\\.\\d+)?(-.*)?` "v1.2.3-rc1" }} {{ regexMatch "v[0-9]+.[0-9]+.[0-9]+" "v1x2y3" }}',
    '{{ range (regexSplit "\\n" ("a\\n\\nb\\n" | trim) -1) | compact }}[{{ . }}]{{ end }}', '{{ mustRegexSplit ":" "a:b::c" -1 }} {{ regexSplit "=" "k=v=w" 2 }}',
    '{{ .Values.str | replace " " "-" | lower | trunc 5 | trimSuffix "-" }}', '{{ printf "%s-%s" "x" "y" | sha256sum | trunc 8 }}',
    '{{ $x := list }}{{ range until 3 }}{{ $x = append $x . }}{{ end }}{{ $x }} {{ toJson $x }}',
    '{{ $d := dict }}{{ range $i, $e := .Values.list }}{{ $_ := set $d (toString $i) $e }}{{ end }}{{ toJson $d }}',
    '{{ default (list "x") .Values.emptylist | toJson }} {{ .Values.list | has "a" }} {{ without .Values.list "a" | join "," }}',
    '{{ ternary "on" "off" (empty .Values.nul) }} {{ coalesce .Values.nested.z .Values.nested.a }} {{ dig "b" "d" "e" "" .Values.nested | upper }}',
    '{{ int (div .Values.big 1000) }} {{ add (int "3") (int64 "4") (float64 "0.5") }} {{ max .Values.int (len .Values.list) }}',
    '{{ (.Values.labels | keys | sortAlpha | join ",") }} {{ values .Values.labels | sortAlpha | toJson }}',
    '{{ mergeOverwrite (dict "image" (dict "tag" "1" "repo" "a")) (dict "image" (dict "tag" "")) | toJson }}',
    '{{ b64enc (printf "%s:%s" "user" "pass") }} {{ "dXNlcjpwYXNz" | b64dec }}')

print(json.dumps(C, indent=1, ensure_ascii=False))
