package agentry

import (
	"fmt"
	"strings"
)

// Safe deletion (DESIGN §5): nothing that routes traffic may be left
// pointing at nothing. Deleting a version that a tag holds or a phone number
// names, a tag that a phone number binds, or an agent that a phone number
// binds is a 400 whose message names who points at it. Every check runs
// under the agent's row lock, which tag and binding writes take too, so a
// delete and a move onto the thing deleted cannot both succeed. (Retell has
// no force_delete on these endpoints, so neither does agentry.)

// maxNamed is how many users a refusal names before "and N more".
const maxNamed = 10

// refuseUsedVersion refuses to delete version n of agent r while a tag holds
// it, a phone number names it, or it is the only published version and a
// phone number binds the agent at latest_published.
func refuseUsedVersion(tx Tx, r *Resource, v *Version) error {
	tags, err := tx.ListTags(r.WorkspaceID, r.ID)
	if err != nil {
		return err
	}
	var holders []string
	for _, t := range tags {
		if t.Version != nil && *t.Version == v.Number {
			holders = append(holders, fmt.Sprintf("tag %q", t.Name))
		}
	}
	uses, err := tx.PhoneUses(r.WorkspaceID, r.ID)
	if err != nil {
		return err
	}
	number := VersionRef{Form: RefNumber, Number: v.Number}.String()
	var named []PhoneUse
	lastPublished := false
	for _, u := range uses {
		switch u.Version {
		case number:
			named = append(named, u)
		case "latest_published":
			if v.Published && !lastPublished {
				others, err := tx.ListVersions(r.WorkspaceID, r.ID, VersionQuery{PublishedOnly: true, Limit: 2, Summary: true})
				if err != nil {
					return err
				}
				lastPublished = len(others) < 2
			}
			if lastPublished {
				named = append(named, u)
			}
		}
	}
	if len(named) > 0 {
		holders = append(holders, "phone numbers "+describeUses(named))
	}
	if len(holders) == 0 {
		return nil
	}
	return Errorf(EINVALID, "version %d of agent %s cannot be deleted: %s point at it; move them to another version first",
		v.Number, r.ID, strings.Join(holders, ", "))
}

// refuseBoundTag refuses to delete a tag that a phone number binds.
func refuseBoundTag(tx Tx, r *Resource, name string) error {
	uses, err := tx.PhoneUses(r.WorkspaceID, r.ID)
	if err != nil {
		return err
	}
	var named []PhoneUse
	for _, u := range uses {
		if u.Version == name {
			named = append(named, u)
		}
	}
	if len(named) == 0 {
		return nil
	}
	return Errorf(EINVALID, "tag %q of agent %s cannot be deleted: phone numbers %s bind it; bind them to another version or tag first",
		name, r.ID, describeUses(named))
}

// refuseBoundAgent refuses to delete an agent that a phone number binds.
func refuseBoundAgent(tx Tx, r *Resource) error {
	uses, err := tx.PhoneUses(r.WorkspaceID, r.ID)
	if err != nil || len(uses) == 0 {
		return err
	}
	return Errorf(EINVALID, "agent %s cannot be deleted: phone numbers %s bind it; remove it from their lists first",
		r.ID, describeUses(uses))
}

// describeUses names numbers and their lists: "+14155550100
// (inbound_agents, outbound_agents), +14155550101 (inbound_agents)".
func describeUses(uses []PhoneUse) string {
	var order []string
	fields := map[string][]string{}
	for _, u := range uses {
		if _, ok := fields[u.Number]; !ok {
			order = append(order, u.Number)
		}
		f := u.Direction.Field()
		if l := fields[u.Number]; len(l) == 0 || l[len(l)-1] != f {
			fields[u.Number] = append(l, f)
		}
	}
	var parts []string
	for i, n := range order {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(order)-maxNamed))
			break
		}
		parts = append(parts, n+" ("+strings.Join(fields[n], ", ")+")")
	}
	return strings.Join(parts, ", ")
}
