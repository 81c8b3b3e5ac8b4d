package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the bench database

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/postgres"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// dataset is what the harness loaded: the key, and the agents in creation
// order with the number of each one's versions that are published (the
// lower numbers) out of versions.
type dataset struct {
	key       string
	agents    []string
	versions  int
	published int
	loadTime  time.Duration
	dbBytes   int64
	// numbers are the phone numbers the resolve scenarios call (routing.go).
	numbers []string
}

// loadDataset opens the store at dsn (fresh), ensures key, and writes n
// agents × v versions directly through the store in large transactions.
// Versions below v/2 (at least version 0) are published, the rest drafts.
func loadDataset(ctx context.Context, dsn string, n, v int) (*dataset, error) {
	start := time.Now()
	var st agentry.Store
	var err error
	if isPostgres(dsn) {
		st, err = postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
	} else {
		st, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ds := &dataset{key: agentry.NewKey(), versions: v, published: max(1, v/2)}
	keys := &agentry.KeyService{Store: st}
	if _, err := keys.EnsureKey(ctx, agentry.DefaultWorkspace, ds.key, "bench"); err != nil {
		return nil, err
	}
	var ws *agentry.Workspace
	if err := st.View(ctx, func(tx agentry.Tx) (err error) {
		ws, err = tx.WorkspaceByName(agentry.DefaultWorkspace)
		return err
	}); err != nil {
		return nil, err
	}
	const batch = 2000
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).UnixMilli()
	for lo := 0; lo < n; lo += batch {
		err := st.Update(ctx, func(tx agentry.Tx) error {
			for i := lo; i < min(n, lo+batch); i++ {
				id := agentry.NewID("agent_")
				created := base + int64(i)
				cfg := config(i, 0)
				a := &agentry.Resource{WorkspaceID: ws.ID, ID: id, Kind: agentry.VoiceAgent, Name: agentName(i),
					NextVersion: int64(v), CreatedAt: created, ModifiedAt: created + int64(v)}
				if err := tx.InsertResource(a); err != nil {
					return err
				}
				for num := range v {
					ver := &agentry.Version{WorkspaceID: ws.ID, ResourceID: id, Kind: agentry.VoiceAgent,
						Number: int64(num), Config: cfg, ModifiedAt: created + int64(num)}
					if num > 0 {
						b := int64(num - 1)
						ver.BaseVersion = &b
						ver.Config = config(i, num)
					}
					if num < ds.published {
						title, desc := fmt.Sprintf("release %d", num), "Tuned the greeting and the transfer rules."
						ver.Published, ver.PublishedAt, ver.Title, ver.Description = true, ver.ModifiedAt, &title, &desc
					}
					if err := tx.InsertVersion(ver); err != nil {
						return err
					}
				}
				ds.agents = append(ds.agents, id)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load agents %d..: %w", lo, err)
		}
	}
	if isPostgres(dsn) {
		if err := analyze(ctx, dsn); err != nil {
			return nil, err
		}
	}
	ds.loadTime = time.Since(start)
	return ds, nil
}

// analyze runs VACUUM ANALYZE on a PostgreSQL database after a bulk load,
// as PostgreSQL's own advice for bulk loads says: without statistics the
// planner takes a workspace for a few rows and sorts whole tables for a page
// of 50 (list-agents was 40 times slower), and without a vacuum the
// visibility map is empty, so index-only scans read the table anyway. A
// server with autovacuum on does the same within about a minute of the
// load; measuring before it has would measure the load, not agentry.
func analyze(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return fmt.Errorf("vacuum analyze after the load: %w", err)
	}
	return nil
}

func agentName(i int) string { return fmt.Sprintf("Front desk %d", i) }

// configTemplate is a realistic voice agent configuration of about 1.5 KB,
// compacted and with its keys sorted as the service stores one; @NAME@, @I@
// and @V@ vary per agent and version.
var configTemplate = func() string {
	body := `{
 "agent_name": "@NAME@",
 "voice_id": "11labs-Adrian",
 "fallback_voice_ids": ["openai-Alloy", "deepgram-Angus"],
 "voice_temperature": 0.9,
 "voice_speed": 0.95,
 "volume": 1.1,
 "responsiveness": 0.8,
 "interruption_sensitivity": 0.7,
 "enable_backchannel": true,
 "backchannel_frequency": 0.6,
 "backchannel_words": ["yeah", "uh-huh", "I see", "right"],
 "reminder_trigger_ms": 10000,
 "reminder_max_count": 2,
 "ambient_sound": "coffee-shop",
 "ambient_sound_volume": 0.4,
 "language": "en-US",
 "webhook_url": "https://hooks.example.com/retell/agent-@I@",
 "webhook_timeout_ms": 10000,
 "boosted_keywords": ["Acme", "Northwind", "appointment", "reschedule", "invoice", "warranty"],
 "data_storage_setting": "everything_except_pii",
 "opt_in_signed_url": false,
 "pronunciation_dictionary": [
  {"word": "Acme", "alphabet": "ipa", "phoneme": "ˈækmi"},
  {"word": "Northwind", "alphabet": "cmu", "phoneme": "N AO1 R TH W IH0 N D"}
 ],
 "enable_dnc_detection": true,
 "end_call_after_silence_ms": 600000,
 "max_call_duration_ms": 3600000,
 "voicemail_option": {"action": {"type": "static_text", "text": "Hi, this is the front desk of Acme returning your call. Please call us back at your convenience; we are open from nine to five on weekdays."}},
 "begin_message_delay_ms": 200,
 "ring_duration_ms": 30000,
 "stt_mode": "accurate",
 "vocab_specialization": "general",
 "allow_user_dtmf": true,
 "user_dtmf_options": {"digit_limit": 6, "termination_key": "#", "timeout_ms": 5000},
 "response_engine": {"type": "custom-llm", "llm_websocket_url": "wss://llm.example.com/agents/@I@/v@V@"}
}`
	fields, err := schema.DecodeObject([]byte(body))
	if err != nil {
		panic(err)
	}
	// The loader writes rows directly, for speed; the template passes the
	// rules the service applies to every configuration it stores.
	rules := &agentry.Service{Rules: schema.Rules{}}
	if _, err := rules.CheckCreate(agentry.VoiceAgent, agentry.Fields(fields)); err != nil {
		panic(fmt.Sprintf("bench config does not validate: %v", err))
	}
	out, err := json.Marshal(fields) // sorted keys; each raw value compacted
	if err != nil {
		panic(err)
	}
	return string(out)
}()

// config is agent i's configuration at version v.
func config(i, v int) json.RawMessage {
	speed := strconv.FormatFloat(0.9+float64(v%5)/20, 'f', -1, 64)
	return json.RawMessage(strings.NewReplacer("@NAME@", agentName(i), "@I@", strconv.Itoa(i), "@V@", strconv.Itoa(v),
		`"voice_speed":0.95`, `"voice_speed":`+speed).Replace(configTemplate))
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// freshPostgres creates an empty database on the server that url names and
// returns its URL and a function that drops it.
func freshPostgres(ctx context.Context, rawURL string) (string, func(), error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("pgx", rawURL)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("agentry_bench_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create bench database: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	return u.String(), drop, nil
}
