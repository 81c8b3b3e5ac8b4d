package sqlstore

import (
	"github.com/agentry/agentry"
)

const voiceColumns = `workspace_id, id, origin, provider, name, gender, accent, age, provider_voice_id, public_user_id, sample_count, sample_bytes, created_at`

func scanVoice(sc interface{ Scan(...any) error }) (agentry.Voice, error) {
	var v agentry.Voice
	err := sc.Scan(&v.WorkspaceID, &v.ID, &v.Origin, &v.Provider, &v.Name, &v.Gender, &v.Accent, &v.Age,
		&v.ProviderVoiceID, &v.PublicUserID, &v.SampleCount, &v.SampleBytes, &v.CreatedAt)
	return v, err
}

// InsertVoice inserts a workspace's voice.
func (t *Tx) InsertVoice(v *agentry.Voice) error {
	_, err := t.exec(`INSERT INTO voices (`+voiceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.WorkspaceID, v.ID, v.Origin, v.Provider, v.Name, v.Gender, v.Accent, v.Age, v.ProviderVoiceID,
		v.PublicUserID, v.SampleCount, v.SampleBytes, v.CreatedAt)
	return err
}

// GetVoice reads one of a workspace's voices.
func (t *Tx) GetVoice(workspaceID, id string) (*agentry.Voice, error) {
	v, err := scanVoice(t.queryRow(`SELECT `+voiceColumns+` FROM voices WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &v, notFound(err)
}

// ListVoices reads a workspace's voices, oldest first.
func (t *Tx) ListVoices(workspaceID string) ([]agentry.Voice, error) {
	rows, err := t.query(`SELECT `+voiceColumns+` FROM voices WHERE workspace_id = ? ORDER BY created_at, id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Voice
	for rows.Next() {
		v, err := scanVoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
