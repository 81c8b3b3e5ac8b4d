package storetest

import (
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// keyTests cover agentry.KeyService over the store (DESIGN §3).
var keyTests = []suiteTest{
	{"CreateAndAuthenticate", testCreateAndAuthenticate},
	{"RevokedKeyUnauthorized", testRevokedKeyUnauthorized},
	{"UnknownKeyUnauthorized", testUnknownKeyUnauthorized},
	{"EnsureKey", testEnsureKey},
	{"ListKeysNeverExposesKey", testListKeysNeverExposesKey},
	{"OnlyHashStored", testOnlyHashStored},
}

var keyPattern = regexp.MustCompile(`^key_[0-9a-f]{32}$`)

func (e *env) mustCreateKey(tb testing.TB, workspace, label string) string {
	tb.Helper()
	key, err := e.keys.CreateKey(e.ctx, workspace, label)
	if err != nil {
		tb.Fatalf("CreateKey(%s): %v", workspace, err)
	}
	if !keyPattern.MatchString(key) || !agentry.ValidKeyFormat(key) {
		tb.Fatalf("CreateKey = %q, want key_ and 32 lowercase hex", key)
	}
	return key
}

func (e *env) mustAuthenticate(tb testing.TB, key string) string {
	tb.Helper()
	c, err := e.keys.Authenticate(e.ctx, key)
	if err != nil {
		tb.Fatalf("Authenticate(%s…): %v", key[:agentry.KeyPrefixLen], err)
	}
	if c.KeyPrefix != key[:agentry.KeyPrefixLen] {
		tb.Errorf("Authenticate(%s…) gave key prefix %q", key[:agentry.KeyPrefixLen], c.KeyPrefix)
	}
	return c.Workspace
}

func workspaceID(tb testing.TB, s agentry.Store, name string) string {
	tb.Helper()
	var w *agentry.Workspace
	mustView(tb, s, func(tx agentry.Tx) (err error) { w, err = tx.WorkspaceByName(name); return err })
	return w.ID
}

func testCreateAndAuthenticate(t *testing.T, open Opener) {
	e := newEnv(t, open)
	if has, err := e.keys.HasKeys(e.ctx); err != nil || has {
		t.Fatalf("HasKeys on a fresh store = %v, %v", has, err)
	}
	k1 := e.mustCreateKey(t, "prod", "one")
	k2 := e.mustCreateKey(t, "prod", "two")
	k3 := e.mustCreateKey(t, "staging", "")
	// The existing workspace of setup is used, not duplicated.
	k4 := e.mustCreateKey(t, "ws-a", "")
	if k1 == k2 {
		t.Fatalf("two keys are equal")
	}
	prod, staging := workspaceID(t, e.store, "prod"), workspaceID(t, e.store, "staging")
	if prod == staging {
		t.Fatalf("two workspaces share ID %s", prod)
	}
	for key, want := range map[string]string{k1: prod, k2: prod, k3: staging, k4: e.ws} {
		if got := e.mustAuthenticate(t, key); got != want {
			t.Errorf("Authenticate(%s…) = %s, want %s", key[:agentry.KeyPrefixLen], got, want)
		}
	}
	if has, err := e.keys.HasKeys(e.ctx); err != nil || !has {
		t.Errorf("HasKeys = %v, %v; want true", has, err)
	}
}

func testRevokedKeyUnauthorized(t *testing.T, open Opener) {
	e := newEnv(t, open)
	byID := e.mustCreateKey(t, "prod", "")
	byPrefix := e.mustCreateKey(t, "prod", "")
	kept := e.mustCreateKey(t, "prod", "")
	keys, err := e.keys.ListKeys(e.ctx, "prod")
	if err != nil || len(keys) != 3 {
		t.Fatalf("ListKeys = %+v, %v", keys, err)
	}
	var id string
	for _, k := range keys {
		if k.Hash == agentry.HashKey(byID) {
			id = k.ID
		}
	}
	now := e.clock.Advance(time.Hour)
	for _, ref := range []string{id, byPrefix[:agentry.KeyPrefixLen]} {
		if err := e.keys.RevokeKey(e.ctx, ref); err != nil {
			t.Fatalf("RevokeKey(%s): %v", ref, err)
		}
	}
	for _, key := range []string{byID, byPrefix} {
		_, err := e.keys.Authenticate(e.ctx, key)
		wantCode(t, err, agentry.EUNAUTHORIZED)
	}
	e.mustAuthenticate(t, kept)
	// Revoking again, or something unknown, is not found.
	wantCode(t, e.keys.RevokeKey(e.ctx, id), agentry.ENOTFOUND)
	wantCode(t, e.keys.RevokeKey(e.ctx, "apikey_nope"), agentry.ENOTFOUND)

	keys, _ = e.keys.ListKeys(e.ctx, "prod")
	for _, k := range keys {
		revoked := k.Hash != agentry.HashKey(kept)
		if (k.RevokedAt == now) != revoked || (!revoked && k.RevokedAt != 0) {
			t.Errorf("key %s: RevokedAt %d, want revoked=%v at %d", k.Prefix, k.RevokedAt, revoked, now)
		}
	}
	// A revoked key cannot be brought back with EnsureKey.
	_, err = e.keys.EnsureKey(e.ctx, "prod", byID, "")
	wantCode(t, err, agentry.EINVALID, "revoked")
}

func testUnknownKeyUnauthorized(t *testing.T, open Opener) {
	e := newEnv(t, open)
	key := e.mustCreateKey(t, "prod", "")
	for _, bad := range []string{"", "key_", agentry.NewKey(), key + "0", key[:35], "Bearer " + key,
		"key_" + "ABCDEF0123456789ABCDEF0123456789", "sk_0123456789abcdef0123456789abcdef"} {
		_, err := e.keys.Authenticate(e.ctx, bad)
		wantCode(t, err, agentry.EUNAUTHORIZED)
	}
}

func testEnsureKey(t *testing.T, open Opener) {
	e := newEnv(t, open)
	key := agentry.NewKey()
	for i, want := range []bool{true, false, false} {
		added, err := e.keys.EnsureKey(e.ctx, agentry.DefaultWorkspace, key, "env")
		if err != nil || added != want {
			t.Fatalf("EnsureKey #%d = %v, %v; want %v", i+1, added, err, want)
		}
	}
	if got, want := e.mustAuthenticate(t, key), workspaceID(t, e.store, agentry.DefaultWorkspace); got != want {
		t.Errorf("Authenticate = %s, want the default workspace %s", got, want)
	}
	if keys, _ := e.keys.ListKeys(e.ctx, agentry.DefaultWorkspace); len(keys) != 1 || keys[0].Label != "env" {
		t.Errorf("keys of the default workspace = %+v, want the one key", keys)
	}

	other := e.mustCreateKey(t, "other", "")
	_, err := e.keys.EnsureKey(e.ctx, agentry.DefaultWorkspace, other, "")
	wantCode(t, err, agentry.EINVALID, "another workspace")
	if got := e.mustAuthenticate(t, other); got != workspaceID(t, e.store, "other") {
		t.Errorf("the other workspace's key moved to %s", got)
	}
	for _, bad := range []string{"", "key_123", "KEY_0123456789abcdef0123456789abcdef"} {
		_, err := e.keys.EnsureKey(e.ctx, agentry.DefaultWorkspace, bad, "")
		wantCode(t, err, agentry.EINVALID)
	}
}

func testListKeysNeverExposesKey(t *testing.T, open Opener) {
	e := newEnv(t, open)
	made := map[string]string{} // key → workspace name
	for _, ws := range []string{"prod", "prod", "staging"} {
		made[e.mustCreateKey(t, ws, "label-"+ws)] = ws
	}
	all, err := e.keys.ListKeys(e.ctx, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("ListKeys(all) = %+v, %v", all, err)
	}
	prod, err := e.keys.ListKeys(e.ctx, "prod")
	if err != nil || len(prod) != 2 {
		t.Fatalf("ListKeys(prod) = %+v, %v", prod, err)
	}
	_, err = e.keys.ListKeys(e.ctx, "nope")
	wantCode(t, err, agentry.ENOTFOUND)
	for _, k := range all {
		for key, ws := range made {
			if k.Hash != agentry.HashKey(key) {
				continue
			}
			if k.Prefix != key[:agentry.KeyPrefixLen] || k.Label != "label-"+ws || k.CreatedAt != e.clock.Millis() ||
				k.RevokedAt != 0 || k.WorkspaceID != workspaceID(t, e.store, ws) {
				t.Errorf("listed key %+v does not describe %s… of %s", k, key[:agentry.KeyPrefixLen], ws)
			}
			wantNoField(t, k, key)
			delete(made, key)
		}
	}
	if len(made) != 0 {
		t.Errorf("keys not listed: %d", len(made))
	}
}

func testOnlyHashStored(t *testing.T, open Opener) {
	e := newEnv(t, open)
	key := e.mustCreateKey(t, "prod", "ci")
	var row *agentry.APIKey
	mustView(t, e.store, func(tx agentry.Tx) (err error) { row, err = tx.KeyByHash(agentry.HashKey(key)); return err })
	if row.Hash != agentry.HashKey(key) || len(row.Hash) != 64 {
		t.Errorf("stored hash = %q, want %q", row.Hash, agentry.HashKey(key))
	}
	wantNoField(t, *row, key)
	if !reflect.DeepEqual(row.Prefix, key[:agentry.KeyPrefixLen]) {
		t.Errorf("stored prefix = %q, want %q", row.Prefix, key[:agentry.KeyPrefixLen])
	}
}

// wantNoField fails if any string field of k holds the whole key.
func wantNoField(tb testing.TB, k agentry.APIKey, key string) {
	tb.Helper()
	v := reflect.ValueOf(k)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.String() == key {
			tb.Errorf("APIKey.%s holds the whole key", v.Type().Field(i).Name)
		}
	}
}
