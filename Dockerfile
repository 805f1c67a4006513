# syntax=docker/dockerfile:1

# ---- build stage --------------------------------------------------------
FROM golang:1.26 AS build

WORKDIR /src

# Download modules in their own layer: it is rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

# A static binary (no cgo) so the final image needs no libc.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /conveyor ./cmd/conveyor

# ---- final stage --------------------------------------------------------
# distroless/static has no shell, package manager or curl: only the binary,
# CA certificates and tzdata. The :nonroot variant ships uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /conveyor /conveyor

USER 65532:65532

# The HTTP API of `conveyor server` (CONVEYOR_HTTP_ADDR, default :8080).
EXPOSE 8080

# The subcommand (server, worker, migrate, users create) is the container command.
ENTRYPOINT ["/conveyor"]
CMD ["server"]
