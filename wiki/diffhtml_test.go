package wiki

import (
	"reflect"
	"testing"
)

// Rows as MediaWiki 1.39's TableDiffFormatter writes them (from the test
// wiki), and as wikidiff2 writes lines added whole (no <ins>) and moved
// paragraphs.
const (
	rowLineNo  = `<tr><td colspan="2" class="diff-lineno" id="mw-diff-left-l1">Line 1:</td>` + "\n" + `<td colspan="2" class="diff-lineno">Line 1:</td></tr>` + "\n"
	rowContext = `<tr><td class="diff-marker"></td><td class="diff-context diff-side-deleted"><div>line one</div></td><td class="diff-marker"></td><td class="diff-context diff-side-added"><div>line one</div></td></tr>` + "\n"
	rowChanged = `<tr><td class="diff-marker" data-marker="−"></td><td class="diff-deletedline diff-side-deleted"><div>line two <del class="diffchange diffchange-inline">old</del></div></td><td class="diff-marker" data-marker="+"></td><td class="diff-addedline diff-side-added"><div>line two <ins class="diffchange diffchange-inline">changed</ins> here <ins class="diffchange diffchange-inline">and&#160;there</ins></div></td></tr>` + "\n"
	rowAdded   = `<tr><td colspan="2" class="diff-side-deleted"></td><td class="diff-marker" data-marker="+"></td><td class="diff-addedline diff-side-added"><div><ins class="diffchange diffchange-inline">* 12:00 jimbo: [[a|b]] &lt;!-- x --&gt;</ins></div></td></tr>` + "\n"
	rowDeleted = `<tr><td class="diff-marker" data-marker="−"></td><td class="diff-deletedline diff-side-deleted"><div><del class="diffchange diffchange-inline">gone</del></div></td><td colspan="2" class="diff-side-added"></td></tr>` + "\n"
	rowOnlyDel = `<tr><td class="diff-marker" data-marker="−"></td><td class="diff-deletedline diff-side-deleted"><div>kept <del class="diffchange diffchange-inline">cut</del></div></td><td class="diff-marker" data-marker="+"></td><td class="diff-addedline diff-side-added"><div>kept</div></td></tr>` + "\n"
	rowEmpty   = `<tr><td colspan="2" class="diff-side-deleted"></td><td class="diff-marker" data-marker="+"></td><td class="diff-addedline diff-side-added"><br></td></tr>` + "\n"
	rowWD2     = `<tr><td colspan="2" class="diff-empty diff-side-deleted"></td><td class="diff-marker" data-marker="+"></td><td class="diff-addedline diff-side-added"><div>whole new line</div></td></tr>` + "\n"
	rowMoved   = `<tr><td colspan="2" class="diff-empty diff-side-deleted"></td><td class="diff-marker"><a class="mw-diff-movedpara-right" href="#movedpara_1_0_lhs">&#x26AB;</a></td><td class="diff-addedline diff-side-added"><div><a name="movedpara_0_0_rhs"></a>moved text</div></td></tr>` + "\n"
)

func TestAddedLines(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want []string
	}{
		{"empty diff", "", nil},
		{"context and line numbers only", rowLineNo + rowContext, nil},
		{"inserted words of a changed line", rowChanged, []string{"changed … and there"}},
		{"a line added whole, unescaped", rowAdded, []string{"* 12:00 jimbo: [[a|b]] <!-- x -->"}},
		{"deleted lines give nothing", rowDeleted + rowOnlyDel, nil},
		{"an empty added line gives nothing", rowEmpty, nil},
		{"wikidiff2: a line added whole without <ins>", rowWD2, []string{"whole new line"}},
		{"wikidiff2: the moved paragraph's arrow is no text", rowMoved, []string{"moved text"}},
		{"in order", rowLineNo + rowContext + rowChanged + rowDeleted + rowAdded + rowWD2,
			[]string{"changed … and there", "* 12:00 jimbo: [[a|b]] <!-- x -->", "whole new line"}},
	} {
		got, err := addedLines(tt.body)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: addedLines = %q, want %q", tt.name, got, tt.want)
		}
	}
}
