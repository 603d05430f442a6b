package wiki

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"cgt.name/pkg/go-mwclient/params"
)

func TestContinuation(t *testing.T) {
	for _, tt := range []struct {
		raw     string
		want    map[string]string
		wantErr bool
	}{
		{`{}`, nil, false},
		{`{"continue":{}}`, nil, false},
		{`{"continue":{"excontinue":20,"continue":"||info|categories"}}`, map[string]string{"excontinue": "20", "continue": "||info|categories"}, false},
		{`{"continue":{"clcontinue":"12|Physicists","continue":"||"}}`, map[string]string{"clcontinue": "12|Physicists", "continue": "||"}, false},
		{`{"continue":{"x":true}}`, nil, true},
		{`{"continue":{"x":{"y":1}}}`, nil, true},
	} {
		var f continueField
		if err := json.Unmarshal([]byte(tt.raw), &f); err != nil {
			t.Fatal(err)
		}
		got, err := f.continuation()
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("continuation of %s = %v, %v; want %v, error %v", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestQueryAll: each continuation goes back as the API wrote it, the
// previous one's keys are dropped, the first request's parameters stay.
func TestQueryAll(t *testing.T) {
	answers := []string{
		`{"continue":{"excontinue":20,"continue":"||info"},"query":{"n":1}}`,
		`{"continue":{"clcontinue":"5|B","continue":"||info|extracts"},"query":{"n":2}}`,
		`{"batchcomplete":true,"query":{"n":3}}`,
	}
	var forms []string
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		forms = append(forms, "excontinue="+r.Form.Get("excontinue")+" clcontinue="+r.Form.Get("clcontinue")+
			" continue="+r.Form.Get("continue")+" prop="+r.Form.Get("prop"))
		writeJSON(w, answers[len(forms)-1])
	})
	c := newTestClient(t, f.URL)
	type resp struct {
		APIErrorField
		continueField
		Query struct {
			N int `json:"n"`
		} `json:"query"`
	}
	var got []int
	err := queryAll(context.Background(), c, params.Values{"action": "query", "prop": "info|extracts"}, func(r *resp) error {
		got = append(got, r.Query.N)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"excontinue= clcontinue= continue= prop=info|extracts",
		"excontinue=20 clcontinue= continue=||info prop=info|extracts",
		"excontinue= clcontinue=5|B continue=||info|extracts prop=info|extracts",
	}
	if !reflect.DeepEqual(forms, want) || !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("requests = %q, answers %v", forms, got)
	}
}

func TestQueryAllStops(t *testing.T) {
	n := 0
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		writeJSON(w, `{"continue":{"excontinue":1,"continue":"||"},"query":{}}`)
	})
	c := newTestClient(t, f.URL)
	err := queryAll(context.Background(), c, params.Values{"action": "query"}, func(*profileResponse) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "still continuing") || n != maxContinuations+1 {
		t.Errorf("endless continuation: %v after %d requests", err, n)
	}
}
