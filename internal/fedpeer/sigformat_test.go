package fedpeer

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// formatSignature renders parsed parameters back into a Signature header,
// so tests can alter one parameter of a real signature.
func formatSignature(sp *sigParams) string {
	s := fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`,
		sp.KeyID, sp.Algorithm, strings.Join(sp.Headers, " "), base64.StdEncoding.EncodeToString(sp.Signature))
	if sp.Created != "" {
		s += ",created=" + sp.Created
	}
	if sp.Expires != "" {
		s += ",expires=" + sp.Expires
	}
	return s
}
