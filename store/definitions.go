package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/definitions"
)

// Version is one published version of a definition.
type Version struct {
	DefinitionID string            `json:"definition"`
	Version      int               `json:"version"`
	Title        string            `json:"title"`
	Hash         string            `json:"hash"`
	PublishedBy  string            `json:"publishedBy"`
	PublishedAt  time.Time         `json:"publishedAt"`
	Source       string            `json:"source,omitempty"`
	Plan         *definitions.Plan `json:"plan,omitempty"`
}

// Publish stores src and its plan as the next version of the plan's
// definition. When the latest version already has the plan's hash nothing is
// stored and that version comes back with created false: publishing the same
// content twice, or retrying a publish, makes one version.
func (s *Store) Publish(ctx context.Context, src []byte, plan *definitions.Plan, by string) (v Version, created bool, err error) {
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return Version{}, false, err
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		// Serialise publishers of one definition; the primary key would
		// refuse a second version n anyway, this only spares the retry.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('definition:' || @definition))`, pgx.NamedArgs{"definition": plan.ID}); err != nil {
			return err
		}
		latest, err := scanVersion(tx.QueryRow(ctx, versionSelect+`
			WHERE definition_id = @definition ORDER BY version DESC LIMIT 1`, pgx.NamedArgs{"definition": plan.ID}), false)
		switch {
		case err == nil && latest.Hash == plan.Hash:
			v = latest
			return nil
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		v, err = scanVersion(tx.QueryRow(ctx, `
			INSERT INTO definition_versions (definition_id, version, title, source, plan, hash, published_by)
			VALUES (@definition, @version, @title, @source, @plan, @hash, @by)
			RETURNING definition_id, version, title, hash, published_by, published_at`,
			pgx.NamedArgs{"definition": plan.ID, "version": latest.Version + 1, "title": plan.Title, "source": string(src),
				"plan": planJSON, "hash": plan.Hash, "by": by}), false)
		created = err == nil
		return err
	})
	if err != nil {
		return Version{}, false, fmt.Errorf("publish %s: %w", plan.ID, err)
	}
	return v, created, nil
}

const versionSelect = `SELECT definition_id, version, title, hash, published_by, published_at FROM definition_versions `

const versionSelectFull = `SELECT definition_id, version, title, hash, published_by, published_at, source, plan FROM definition_versions `

func scanVersion(row pgx.Row, full bool) (Version, error) {
	var v Version
	dest := []any{&v.DefinitionID, &v.Version, &v.Title, &v.Hash, &v.PublishedBy, &v.PublishedAt}
	var planJSON []byte
	if full {
		dest = append(dest, &v.Source, &planJSON)
	}
	if err := row.Scan(dest...); err != nil {
		return Version{}, err
	}
	v.PublishedAt = v.PublishedAt.UTC()
	if full {
		v.Plan = new(definitions.Plan)
		if err := json.Unmarshal(planJSON, v.Plan); err != nil {
			return Version{}, fmt.Errorf("stored plan of %s v%d: %w", v.DefinitionID, v.Version, err)
		}
	}
	return v, nil
}

// DefinitionVersion returns one version with its source and plan; version 0
// means the latest.
func (s *Store) DefinitionVersion(ctx context.Context, id string, version int) (Version, error) {
	const latest = versionSelectFull + `WHERE definition_id = @definition ORDER BY version DESC LIMIT 1`
	const exact = versionSelectFull + `WHERE definition_id = @definition AND version = @version`
	var row pgx.Row
	if version == 0 {
		row = s.pool.QueryRow(ctx, latest, pgx.NamedArgs{"definition": id})
	} else {
		row = s.pool.QueryRow(ctx, exact, pgx.NamedArgs{"definition": id, "version": version})
	}
	v, err := scanVersion(row, true)
	if err != nil {
		return Version{}, notFound(err, fmt.Sprintf("definition %q version %d", id, version))
	}
	return v, nil
}

// DefinitionVersions lists a definition's versions, newest first, without
// sources and plans.
func (s *Store) DefinitionVersions(ctx context.Context, id string) ([]Version, error) {
	rows, _ := s.pool.Query(ctx, versionSelect+`WHERE definition_id = @definition ORDER BY version DESC`, pgx.NamedArgs{"definition": id})
	return collectVersions(rows)
}

// Definitions lists every definition by its latest version.
func (s *Store) Definitions(ctx context.Context) ([]Version, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (definition_id) definition_id, version, title, hash, published_by, published_at
		FROM definition_versions ORDER BY definition_id, version DESC`)
	return collectVersions(rows)
}

func collectVersions(rows pgx.Rows) ([]Version, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Version, error) { return scanVersion(r, false) })
}
