package agentry

import "fmt"

// Rules are the field rules of configurations, which the service applies to
// every write. The service owns the interface; package schema implements it,
// and cmd wires the two together.
type Rules interface {
	// CheckFields checks the configuration fields of a request body against
	// the field rules of kind: every field of a create, or the fields a
	// patch sends. It returns the fields to apply and the paths of those it
	// accepted without applying them (fields the kind does not declare, at
	// any depth, unless the rules are strict; fields only creation sets, when
	// patching), or an *Error naming the field and the rule.
	CheckFields(kind *Kind, fields Fields, patch bool) (apply Fields, ignored []string, err error)
	// CheckConfig checks a whole configuration of kind as a write would store
	// it: the rules across fields and items (names that must be unique,
	// references that must resolve), which only the merged result can show.
	CheckConfig(kind *Kind, config Fields) error
}

// Config is a configuration body that passed the field rules of its kind.
// Only Service.CheckCreate and Service.CheckPatch make one, so a write can
// never store fields that skipped the rules.
type Config struct {
	kind   *Kind
	patch  bool
	fields Fields
	// Ignored names the fields that were accepted but not applied, by path
	// ("enable_voicemail_detection", "voicemail_option.action.beep").
	Ignored []string
}

// Kind is the kind whose rules the configuration passed.
func (c Config) Kind() *Kind { return c.kind }

// CheckCreate checks the body of a create request of kind.
func (s *Service) CheckCreate(kind *Kind, fields Fields) (Config, error) {
	return s.checkFields(kind, fields, false)
}

// CheckPatch checks the body of an update request of kind.
func (s *Service) CheckPatch(kind *Kind, fields Fields) (Config, error) {
	return s.checkFields(kind, fields, true)
}

func (s *Service) checkFields(kind *Kind, fields Fields, patch bool) (Config, error) {
	if s.Rules == nil {
		return Config{}, fmt.Errorf("agentry: Service.Rules is not set")
	}
	if kind == nil || kind == AnyAgent {
		return Config{}, fmt.Errorf("agentry: a configuration needs a concrete kind")
	}
	apply, ignored, err := s.Rules.CheckFields(kind, fields, patch)
	if err != nil {
		return Config{}, err
	}
	return Config{kind: kind, patch: patch, fields: apply, Ignored: ignored}, nil
}

// checkConfig runs the whole-configuration rules.
func (s *Service) checkConfig(kind *Kind, config Fields) error {
	if s.Rules == nil {
		return fmt.Errorf("agentry: Service.Rules is not set")
	}
	return s.Rules.CheckConfig(kind, config)
}
