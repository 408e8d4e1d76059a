# Two stages: build a virtualenv with the gateway and its locked-down dependencies,
# then copy it into a slim runtime that runs as an unprivileged user.
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY sandbox ./sandbox
RUN /venv/bin/pip install .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH
RUN useradd --system --uid 10001 --no-create-home app
COPY --from=builder /venv /venv
USER app
EXPOSE 8000
# With no configuration (no GATEWAY_* provider settings, no GATEWAY_CONFIG) the gateway
# runs on its embedded sandbox; mount a TOML file and set GATEWAY_CONFIG for real use.
# The gateway's own command, not plain uvicorn: it logs JSON lines and replaces
# uvicorn's access log (which prints query strings and their variables).
CMD ["reviews-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
