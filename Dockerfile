# A retropack worker: retropack installed, run as a Prefect process worker that polls one work pool.
#   docker build -t retropack-worker .
#   docker run -e PREFECT_API_URL=http://prefect:4200/api -e RETROPACK_ALERT_WEBHOOK=... \
#     -v /mnt/retropack:/srv/retropack retropack-worker
# The configs, datasets and reports live on shared storage mounted at /srv/retropack on every host (docs/operators.md).
FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango and HarfBuzz's subsetter; a font with Japanese glyphs for the pack's text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-ipaexfont-gothic \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/retropack
COPY pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
RUN pip install --no-cache-dir . && useradd --create-home --uid 1000 retropack

USER retropack
ENV PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30 \
    RETROPACK_POOL=retropack
# One run at a time per worker: a pack's rendering takes a core; start more containers for more at once.
CMD ["sh", "-c", "exec prefect worker start --pool \"$RETROPACK_POOL\" --type process --limit 1"]
