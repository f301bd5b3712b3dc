# Patchwarden API and worker image. One image, two commands:
#   node bin/patchwarden.mjs api     (Express API on $PORT)
#   node bin/patchwarden.mjs worker  (Temporal worker on task queue "patchwarden")
# Both need DATABASE_URL and TEMPORAL_ADDRESS; see docker-compose.yml.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY . .

# The API listens on all interfaces inside the container; compose publishes it.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

CMD ["node", "bin/patchwarden.mjs", "api"]
