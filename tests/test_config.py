from pathlib import Path

import pytest

from gateway.config import (
    ConfigError,
    Mode,
    Secret,
    load_settings,
    settings_from,
)

TRUSTPILOT = {"api_key": "k", "api_secret": "s", "business_unit_id": "bu"}


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        '[gateway]\ncache_ttl_s = 30\n\n[providers.trustpilot]\napi_key = "file-key"\n'
        'api_secret = "s"\nbusiness_unit_id = "bu"\n\n[[catalog]]\nsku = "A-1"\n'
        "trustoo_product_id = 42\n",
        encoding="utf-8",
    )
    settings = load_settings(
        path, {"GATEWAY_TRUSTPILOT_API_KEY": "env-key", "GATEWAY_CACHE_TTL_S": "5"}
    )
    assert settings.trustpilot is not None
    assert settings.trustpilot.api_key == Secret("env-key")
    assert settings.cache_ttl_s == 5.0
    assert settings.catalog[0].trustoo_product_id == 42
    assert settings.etrusted is None


def test_a_provider_configured_only_by_environment() -> None:
    settings = settings_from(
        {},
        {
            "GATEWAY_ETRUSTED_CLIENT_ID": "c",
            "GATEWAY_ETRUSTED_CLIENT_SECRET": "s",
            "GATEWAY_ETRUSTED_CHANNEL_IDS": "chl-1, chl-2",
            "GATEWAY_MODE": "SANDBOX",
        },
    )
    assert settings.etrusted is not None
    assert settings.etrusted.channel_ids == ("chl-1", "chl-2")
    assert settings.etrusted.base_url == "https://api.etrusted.com/"
    assert settings.mode is Mode.SANDBOX


@pytest.mark.parametrize(
    ("data", "environ", "message"),
    [
        (
            {"providers": {"trustoo": {"public_token": "p"}}},
            {},
            "providers.trustoo.private_token (GATEWAY_TRUSTOO_PRIVATE_TOKEN) is "
            "required",
        ),
        (
            {},
            {"GATEWAY_MAX_PAGE_SIZE": "many"},
            "gateway.max_page_size (GATEWAY_MAX_PAGE_SIZE) is malformed",
        ),
        (
            {"providers": {"trustpilot": {**TRUSTPILOT, "timeout_s": "soon"}}},
            {},
            "providers.trustpilot.timeout_s (GATEWAY_TRUSTPILOT_TIMEOUT_S) is "
            "malformed",
        ),
        ({"providers": {"yelp": {}}}, {}, "unknown provider(s) yelp"),
        (
            {"providers": {"mayar": {"api_key": "k", "apikey": "x"}}},
            {},
            "providers.mayar: unknown key(s) apikey",
        ),
        ({"catalog": [{"sku": "A"}, {"sku": "A"}]}, {}, "a SKU is listed twice"),
        ({"catalog": [{"trustoo_product_id": 1}]}, {}, "catalog[0].sku is required"),
        ({"gateway": {"graphiql": "maybe"}}, {}, "gateway.graphiql"),
        (
            {"api_keys": [{"name": "bff", "sha256": "not-a-digest"}]},
            {},
            "api_keys[0].sha256 must be a SHA-256 hex digest",
        ),
        ({"api_keys": [{"sha256": "0" * 64}]}, {}, "api_keys[0].name is required"),
        ({"api_keys": {"name": "x"}}, {}, "api_keys must be an array of tables"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_key(
    data: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(data, environ)
    assert message in str(caught.value)


def test_unreadable_or_invalid_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "missing.toml", {})
    broken = tmp_path / "broken.toml"
    broken.write_text("[gateway\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(broken, {})


def test_keys_and_cors_come_from_the_file_and_environment() -> None:
    digest = "ab" * 32
    settings = settings_from(
        {
            "api_keys": [
                {"name": "bff", "sha256": digest.upper(), "scopes": ["read:private"]}
            ]
        },
        {
            "GATEWAY_CORS_ORIGINS": "https://a.example, https://b.example",
            "GATEWAY_MAX_DEPTH": "8",
        },
    )
    assert settings.api_keys[0].sha256 == digest
    assert settings.api_keys[0].scopes == ("read:private",)
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.max_depth == 8


def test_tuning_alone_does_not_configure_a_platform() -> None:
    settings = settings_from(
        {},
        {"GATEWAY_TRUSTPILOT_RATE_LIMIT_CALLS": "5000", "GATEWAY_MAYAR_TIMEOUT_S": "2"},
    )
    assert settings.configured_providers == ()
    assert settings.tuning == {
        "trustpilot": {"rate_limit_calls": 5000},
        "mayar": {"timeout_s": 2.0},
    }
    with pytest.raises(ConfigError, match="GATEWAY_MAYAR_MAX_RETRIES"):
        settings_from({}, {"GATEWAY_MAYAR_MAX_RETRIES": "often"})


def test_secrets_never_print() -> None:
    settings = settings_from({"providers": {"trustpilot": TRUSTPILOT}}, {})
    assert "api_secret=Secret('**********')" in repr(settings)
    assert "'s'" not in repr(settings.trustpilot)
    assert str(Secret("hunter2")) == "Secret('**********')"


def test_the_cursor_secret_is_configurable_and_else_one_per_process() -> None:
    configured = settings_from({}, {"GATEWAY_CURSOR_SECRET": "c" * 40})
    assert configured.cursor_secret == Secret("c" * 40)
    assert "c" * 40 not in repr(configured)
    first, second = settings_from({}, {}), settings_from({}, {})
    assert first.cursor_secret == second.cursor_secret, "one per process"
    assert first.cursor_secret != configured.cursor_secret
    with pytest.raises(ConfigError, match="GATEWAY_CURSOR_SECRET"):
        settings_from({"gateway": {"cursor_secret": "short"}}, {})
