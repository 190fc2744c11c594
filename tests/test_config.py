from pathlib import Path

import pytest

from data.config import CONFIG_FILE_NAME, Config, ConfigError, find_config, load_config


def test_defaults_follow_metrics_md() -> None:
    cfg = Config(timezone="UTC")
    assert cfg.short_abandon_s == 5
    assert cfg.sl_threshold("voice") == 20 and cfg.sl_threshold("chat") == 60
    assert cfg.stale_after_s == 14400 and cfg.csat_satisfied == 4 and cfg.fcr_window_h == 168
    assert cfg.at_risk_s == 1800 and cfg.top_n == 10
    assert cfg.frt_target_s["chat"] == 120 and cfg.resolution_target_s["email"] == 86400


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    f = tmp_path / "floorwatch.toml"
    f.write_text('timezone = "UTC"\nshort_abandon = 3\n')
    with pytest.raises(ConfigError) as exc:
        load_config(f)
    assert str(f) in str(exc.value) and "short_abandon: unknown key" in str(exc.value)


def test_bad_zone_and_bad_type_are_named(tmp_path: Path) -> None:
    f = tmp_path / "floorwatch.toml"
    f.write_text('timezone = "Mars/Olympus"\n[sl_threshold_s]\nvoice = "fast"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(f)
    text = str(exc.value)
    assert "timezone: Value error, unknown time zone 'Mars/Olympus'" in text
    assert "sl_threshold_s.voice" in text


def test_invalid_toml_is_named(tmp_path: Path) -> None:
    f = tmp_path / "floorwatch.toml"
    f.write_text("timezone = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(f)


def test_a_per_channel_table_overrides_only_the_channels_it_names(tmp_path: Path) -> None:
    f = tmp_path / "floorwatch.toml"
    f.write_text('timezone = "UTC"\n[sl_threshold_s]\nvoice = 30\n[frt_target_s]\nchat = 300\n')
    cfg = load_config(f)
    assert cfg.sl_threshold("voice") == 30
    assert cfg.sl_threshold("email") == 3600  # not 60: email keeps its own default
    assert cfg.frt_target_s["chat"] == 300
    assert cfg.frt_target_s["email"] == 43200 and cfg.frt_target_s["voice"] == 60
    assert cfg.resolution_target_s["chat"] == 3600


def test_find_config_passes_over_a_folder_it_cannot_read(tmp_path: Path, monkeypatch) -> None:
    """No traceback: the load that follows reports the folder as unreadable."""
    locked, other = tmp_path / "locked", tmp_path / "other"
    (other / CONFIG_FILE_NAME).parent.mkdir(parents=True)
    (other / CONFIG_FILE_NAME).write_text('timezone = "UTC"\n')
    locked.mkdir()
    real_is_file = Path.is_file

    def deny(self: Path) -> bool:
        if self.parent == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", deny)
    assert find_config([locked, other], None) == other / CONFIG_FILE_NAME
    assert find_config([locked], None) is None
