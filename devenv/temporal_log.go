package devenv

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger.
//
// Panic, DPanic and Fatal are downgraded to Error: the embedded server must
// never take the host process down through its logger.
type serverLogger struct {
	l *slog.Logger
}

var (
	_ log.Logger      = serverLogger{}
	_ log.WithLogger  = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

// newServerLogger returns a server logger that forwards records at min's
// level and above to l (nil l discards everything). min may be changed later,
// e.g. raised to silence the shutdown noise.
func newServerLogger(l *slog.Logger, min *slog.LevelVar) serverLogger {
	if l == nil {
		return serverLogger{l: slog.New(slog.DiscardHandler)}
	}
	return serverLogger{l: slog.New(&minLevelHandler{h: l.Handler(), min: min})}
}

// levelSilent is above every level serverLogger emits.
const levelSilent = slog.LevelError + 1

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.l.LogAttrs(ctx, level, msg, attrs...)
}

func (s serverLogger) Debug(msg string, tags ...tag.Tag)  { s.log(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)   { s.log(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) Panic(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) Fatal(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }

// With implements log.WithLogger.
func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	if len(tags) == 0 {
		return s
	}
	args := make([]any, 0, len(tags))
	for _, t := range tags {
		args = append(args, slog.Any(t.Key(), t.Value()))
	}
	return serverLogger{l: s.l.With(args...)}
}

// SLog implements log.SLogWrapper; the server hands this logger to the parts
// of itself that log through slog. It carries the same level filter.
func (s serverLogger) SLog() *slog.Logger { return s.l }

// minLevelHandler drops records below min before they reach h.
type minLevelHandler struct {
	h   slog.Handler
	min *slog.LevelVar
}

func (m *minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= m.min.Level() && m.h.Enabled(ctx, level)
}

func (m *minLevelHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < m.min.Level() {
		return nil
	}
	return m.h.Handle(ctx, r)
}

func (m *minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevelHandler{h: m.h.WithAttrs(attrs), min: m.min}
}

func (m *minLevelHandler) WithGroup(name string) slog.Handler {
	return &minLevelHandler{h: m.h.WithGroup(name), min: m.min}
}
