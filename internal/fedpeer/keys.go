package fedpeer

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// minKeyBits is the smallest RSA key the peer accepts; the Fediverse uses 2048.
const minKeyBits = 2048

// publicKeyPEM encodes a key the way Mastodon publishes it (PKIX "PUBLIC KEY").
func publicKeyPEM(k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		panic(fmt.Sprintf("fedpeer: marshal public key: %v", err)) // cannot happen for RSA
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// parsePublicKeyPEM reads a PKIX or PKCS#1 RSA key of at least minKeyBits.
func parsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("%w: publicKeyPem is not PEM", ErrPublicKey)
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPublicKey, err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: key is %T, not RSA", ErrPublicKey, k)
		}
		pub = rk
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPublicKey, err)
		}
		pub = k
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrPublicKey, block.Type)
	}
	if bits := pub.N.BitLen(); bits < minKeyBits {
		return nil, fmt.Errorf("%w: RSA key has %d bits", ErrPublicKey, bits)
	}
	return pub, nil
}
