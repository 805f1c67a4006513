package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/conveyorhq/conveyor/refusal"
)

// Roles a user can hold; the users table refuses any other.
const (
	RoleAdmin      = "admin"
	RoleAnalyst    = "analyst"
	RoleSupervisor = "supervisor"
	RoleManager    = "manager"
)

// User is a person who signs in. It deliberately has no password or hash
// field, so handing a User to JSON can never leak one; see PasswordHash.
type User struct {
	Login      string    `json:"login"`
	Name       string    `json:"name"`
	Roles      []string  `json:"roles"`
	Teams      []string  `json:"teams"`
	Supervisor string    `json:"supervisor,omitempty"` // "" = none
	Active     bool      `json:"active"`
	CreatedAt  time.Time `json:"createdAt"`
	// While absent (from AbsentFrom until AbsentUntil), new work goes to
	// Deputy.
	Deputy      string     `json:"deputy,omitempty"`
	AbsentFrom  *time.Time `json:"absentFrom,omitempty"`
	AbsentUntil *time.Time `json:"absentUntil,omitempty"`
}

// Has reports whether u holds role.
func (u User) Has(role string) bool { return slices.Contains(u.Roles, role) }

// UserPatch says what UpdateUser changes: nil fields stay as they are.
type UserPatch struct {
	Name         *string
	Roles, Teams *[]string
	Supervisor   *string // pointer to "" clears the supervisor
	Active       *bool
	// PasswordHash, when set, also signs the user out everywhere: every
	// token of theirs (API and web sessions alike) is revoked in the same
	// transaction, except KeepToken (the hash of the token of the request
	// that changes it, when that is the user's own), so whoever held a
	// stolen token or session loses it with the old password.
	PasswordHash *string
	KeepToken    []byte
}

const userCols = `u.login, u.name, u.roles, u.teams, coalesce(u.supervisor, ''), u.active, u.created_at,
	coalesce(u.deputy, ''), u.absent_from, u.absent_until`

func scanUser(row pgx.Row) (User, error) {
	var u User
	if err := row.Scan(&u.Login, &u.Name, &u.Roles, &u.Teams, &u.Supervisor, &u.Active, &u.CreatedAt,
		&u.Deputy, &u.AbsentFrom, &u.AbsentUntil); err != nil {
		return User{}, err
	}
	u.Roles, u.Teams = nonNil(u.Roles), nonNil(u.Teams)
	u.CreatedAt = u.CreatedAt.UTC()
	utc(u.AbsentFrom, u.AbsentUntil)
	return u, nil
}

func collectUsers(rows pgx.Rows) ([]User, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
}

// nonNil turns nil into an empty slice: the columns are NOT NULL, and JSON
// clients get [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateUser stores u with passwordHash (see auth.HashPassword). New users
// are active whatever u.Active says, so a caller that forgets the field does
// not create a locked-out account; deactivate with UpdateUser. u.CreatedAt is
// ignored too.
func (s *Store) CreateUser(ctx context.Context, u User, passwordHash string) (User, error) {
	var created User
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		created, err = scanUser(tx.QueryRow(ctx, `
			INSERT INTO users AS u (login, name, password_hash, roles, teams, supervisor)
			VALUES (@login, @name, @password_hash, @roles, @teams, nullif(@supervisor, ''))
			RETURNING `+userCols,
			pgx.NamedArgs{"login": u.Login, "name": u.Name, "password_hash": passwordHash, "roles": nonNil(u.Roles),
				"teams": nonNil(u.Teams), "supervisor": u.Supervisor}))
		return err
	})
	if err != nil {
		return User{}, userError(err, fmt.Sprintf("create user %q", u.Login))
	}
	return created, nil
}

// User returns the user with login.
func (s *Store) User(ctx context.Context, login string) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.login = @login`, pgx.NamedArgs{"login": login}))
	if err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %q", login))
	}
	return u, nil
}

// UsersPage lists users, inactive ones included, by login, a page at a time.
func (s *Store) UsersPage(ctx context.Context, page Page) ([]User, string, error) {
	after, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.login > @after ORDER BY u.login LIMIT @limit`,
		pgx.NamedArgs{"after": after.ID, "limit": page.limit() + 1})
	list, err := collectUsers(rows)
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, page.limit(), func(u User) cursor { return cursor{ID: u.Login} })
	return list, next, nil
}

// Users lists every user, inactive ones included, by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.login`)
	return collectUsers(rows)
}

// UpdateUser applies patch to the user with login in one statement and
// returns the result.
func (s *Store) UpdateUser(ctx context.Context, login string, patch UserPatch) (User, error) {
	// Untyped nil for "unchanged": the casts below give the parameters
	// their types, and coalesce keeps the old value.
	var roles, teams any
	if patch.Roles != nil {
		roles = nonNil(*patch.Roles)
	}
	if patch.Teams != nil {
		teams = nonNil(*patch.Teams)
	}
	var u User
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
		UPDATE users AS u SET
			name          = coalesce(@name::text, u.name),
			roles         = coalesce(@roles::text[], u.roles),
			teams         = coalesce(@teams::text[], u.teams),
			supervisor    = CASE WHEN @supervisor::text IS NULL THEN u.supervisor ELSE nullif(@supervisor::text, '') END,
			active        = coalesce(@active::boolean, u.active),
			password_hash = coalesce(@password_hash::text, u.password_hash)
		WHERE u.login = @login
		RETURNING `+userCols,
			pgx.NamedArgs{"login": login, "name": patch.Name, "roles": roles, "teams": teams, "supervisor": patch.Supervisor,
				"active": patch.Active, "password_hash": patch.PasswordHash}))
		if err != nil || patch.PasswordHash == nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM tokens WHERE login = @login AND hash IS DISTINCT FROM @keep`,
			pgx.NamedArgs{"login": login, "keep": patch.KeepToken})
		return err
	})
	if err != nil {
		what := fmt.Sprintf("update user %q", login)
		return User{}, notFound(userError(err, what), what)
	}
	return u, nil
}

// PasswordHash returns what signing in as login needs: the stored hash and
// whether the user may sign in at all.
func (s *Store) PasswordHash(ctx context.Context, login string) (hash string, active bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT password_hash, active FROM users WHERE login = @login`, pgx.NamedArgs{"login": login}).Scan(&hash, &active)
	if err != nil {
		return "", false, notFound(err, fmt.Sprintf("user %q", login))
	}
	return hash, active, nil
}

// CreateToken stores the hash of a token (see auth.NewToken) for login,
// valid until expiresAt.
func (s *Store) CreateToken(ctx context.Context, hash []byte, login string, expiresAt time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tokens (hash, login, expires_at) VALUES (@hash, @login, @expires_at)`,
		pgx.NamedArgs{"hash": hash, "login": login, "expires_at": expiresAt})
	if err != nil {
		return userError(err, fmt.Sprintf("create token for %q", login))
	}
	return nil
}

// UserByToken returns the user a token hash belongs to. An expired token,
// or one of a deactivated user, is ErrNotFound like an unknown one: callers
// must not treat them differently.
func (s *Store) UserByToken(ctx context.Context, hash []byte) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `
		SELECT `+userCols+` FROM tokens t JOIN users u ON u.login = t.login
		WHERE t.hash = @hash AND t.expires_at > now() AND u.active`, pgx.NamedArgs{"hash": hash}))
	if err != nil {
		return User{}, notFound(err, "token")
	}
	return u, nil
}

// DeleteToken forgets a token hash; deleting an unknown one is no error, so
// signing out twice is harmless.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = @hash`, pgx.NamedArgs{"hash": hash}); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

// IsAbove reports whether supervisor is login's supervisor, or that
// supervisor's, and so on up. Nobody is above themself, and nobody is above
// an unknown login.
func (s *Store) IsAbove(ctx context.Context, supervisor, login string) (bool, error) {
	// UNION, not UNION ALL: the walk ends even if a cycle slipped in.
	var above bool
	err := s.pool.QueryRow(ctx, `
		WITH RECURSIVE up (login) AS (
			SELECT supervisor FROM users WHERE login = @login
		  UNION
			SELECT u.supervisor FROM users u JOIN up ON u.login = up.login
		)
		SELECT @supervisor <> @login AND EXISTS (SELECT 1 FROM up WHERE login = @supervisor)`,
		pgx.NamedArgs{"supervisor": supervisor, "login": login}).Scan(&above)
	if err != nil {
		return false, fmt.Errorf("is %q above %q: %w", supervisor, login, err)
	}
	return above, nil
}

// Assignees lists the active users by may give work to, by login: by and
// everyone below them (an admin: anyone), and, for work about a client, only
// those who may see that client (admins see every client). only, if not
// "", narrows the list to that login, to check one user.
func (s *Store) Assignees(ctx context.Context, by Viewer, client, only string) ([]User, error) {
	rows, _ := s.pool.Query(ctx, viewerScope+`
		SELECT `+userCols+` FROM users u
		WHERE u.active AND (@admin OR u.login IN (SELECT login FROM scope))
		  AND (@client = '' OR 'admin' = ANY (u.roles) OR can_see_client(u.login, @client))
		  AND (@only = '' OR u.login = @only)
		ORDER BY u.login`, by.args(pgx.NamedArgs{"client": client, "only": only}))
	return collectUsers(rows)
}

// TeamMembers lists the active users in team, by login.
func (s *Store) TeamMembers(ctx context.Context, team string) ([]User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userCols+` FROM users u
		WHERE u.teams @> ARRAY[@team::text] AND u.active ORDER BY u.login`, pgx.NamedArgs{"team": team})
	return collectUsers(rows)
}

// CountUsers counts all users, inactive ones included.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// constraintProblems says, per constraint of the users and tokens tables,
// what the caller got wrong.
var constraintProblems = map[string]string{
	"users_pkey":            "login already taken",
	"users_login_format":    "login must be a lower-case letter then 1 to 62 of a-z, 0-9, '.', '_', '-'",
	"users_roles_known":     "roles must be among admin, analyst, supervisor, manager",
	"users_supervisor_fkey": "supervisor is not a user",
	"tokens_login_fkey":     "no such user",
	"tokens_pkey":           "token already exists",
	"tokens_hash_check":     "token hash must be a SHA-256, 32 bytes",
}

// userError maps constraint violations to errs sentinels: a duplicate is
// ErrConflict, a bad reference or value ErrInvalid. Other errors pass through.
func userError(err error, what string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	problem, known := constraintProblems[pe.ConstraintName]
	if !known {
		problem = pe.Message // e.g. the cycle trigger's "supervisor cycle: a -> b -> a"
	}
	switch pe.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%s: %s: %w", what, problem, refusal.ErrConflict)
	case "23503", "23514": // foreign_key_violation, check_violation
		return fmt.Errorf("%s: %s: %w", what, problem, refusal.ErrInvalid)
	}
	return err
}

// Team is a group of users that assignment rules pick from.
type Team struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// Teams lists every team with its active members.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, _ := s.pool.Query(ctx, `SELECT team, array_agg(login ORDER BY login)
		FROM users, unnest(teams) AS team WHERE active GROUP BY team ORDER BY team`)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Team, error) {
		var t Team
		err := r.Scan(&t.Name, &t.Members)
		return t, err
	})
}
