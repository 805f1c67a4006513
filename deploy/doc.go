// Package deploy holds the deployment assets that sit next to the root
// Dockerfile and docker-compose.yml (such as the PostgreSQL init script),
// and tests that check the compose file wires the services together
// correctly, since no Docker engine is needed to run them.
package deploy
