"""`cqdt validate` on good and bad files: Vietnamese message, file and line, exit 1, nothing changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import REPO, copy_data
from ruamel.yaml import YAML

from scorer.flow.validate import validate_paths
from scorer.reading.paths import DataRoot

FIXTURES = REPO / "tests" / "fixtures" / "submissions"
EXPECTED = YAML(typ="safe").load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
TARGET = "submissions/2024/xa/xa-bang-luan.yaml"


@pytest.fixture(scope="module")
def data_2024(tmp_path_factory) -> Path:
    return copy_data(tmp_path_factory.mktemp("data"), years=(2024,))


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def place(root: Path, content: bytes, target: str = TARGET) -> Path:
    path = root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_every_invalid_fixture_has_an_expectation():
    names = sorted(p.name.removeprefix("invalid-").removesuffix(".yaml") for p in FIXTURES.glob("invalid-*.yaml"))
    assert names == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_submission_is_refused_with_line_and_message(data_2024, cqdt, name):
    original = (data_2024 / TARGET).read_bytes()
    path = place(data_2024, (FIXTURES / f"invalid-{name}.yaml").read_bytes())
    try:
        before = tree_digest(data_2024)
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 1
        expected = EXPECTED[name]
        lines = [line for line in result.stderr.splitlines() if line.startswith(TARGET + ":")]
        assert lines, result.stderr
        line_no = int(lines[0].split(":")[1])
        assert line_no == expected["line"], lines[0]
        assert expected["message"] in lines[0]
        assert "1 tệp có lỗi" in result.stderr
        assert tree_digest(data_2024) == before  # reading input never writes it
    finally:
        place(data_2024, original)


@pytest.mark.parametrize("name", ["valid-empty.yaml", "valid-filled.yaml"])
def test_valid_fixtures_pass(data_2024, cqdt, name):
    original = (data_2024 / TARGET).read_bytes()
    path = place(data_2024, (FIXTURES / name).read_bytes())
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 0, result.output
        assert "không có lỗi" in result.output
    finally:
        place(data_2024, original)


def test_windows_bom_and_crlf_are_accepted(data_2024, cqdt):
    original = (data_2024 / TARGET).read_bytes()
    text = (FIXTURES / "valid-filled.yaml").read_text(encoding="utf-8")
    path = place(data_2024, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    try:
        assert cqdt("--data", data_2024, "validate", path).exit_code == 0
    finally:
        place(data_2024, original)


def test_oversized_file_is_refused_before_parsing(data_2024, cqdt):
    original = (data_2024 / TARGET).read_bytes()
    path = place(data_2024, original + b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 1
        assert f"{TARGET}:1:1: tệp quá lớn (5,0 MB)" in result.stderr
    finally:
        place(data_2024, original)


def test_unit_in_the_wrong_tier_folder(data_2024, cqdt):
    wrong = "submissions/2024/huyen/xa-bang-luan.yaml"
    path = place(data_2024, (FIXTURES / "valid-empty.yaml").read_bytes(), wrong)
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 1
        assert f"{wrong}:2:7: đơn vị 'xa-bang-luan' thuộc cấp 'xa'" in result.stderr
    finally:
        path.unlink()


def test_unknown_unit_and_wrong_year(data_2024, cqdt):
    text = (FIXTURES / "valid-empty.yaml").read_text(encoding="utf-8")
    text = text.replace("unit: xa-bang-luan", "unit: xa-khong-co").replace("year: 2024", "year: 2023")
    path = place(data_2024, text.encode("utf-8"), "submissions/2024/xa/xa-khong-co.yaml")
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 1
        assert "không có đơn vị 'xa-khong-co' trong danh sách đơn vị" in result.stderr
        assert "năm 2023 khác với thư mục năm 2024" in result.stderr
    finally:
        path.unlink()


def test_criteria_set_whose_items_do_not_sum_to_the_group_maximum(tmp_path, cqdt):
    root = copy_data(tmp_path / "data", years=(2024,))
    tier_file = root / "criteria/qd-1609-2018/xa.yaml"
    text = tier_file.read_text(encoding="utf-8")
    tier_file.write_text(text.replace("max: 5\n", "max: 6\n", 1), encoding="utf-8")
    result = cqdt("--data", root, "validate")
    assert result.exit_code == 1
    assert "criteria/qd-1609-2018/xa.yaml:" in result.stderr
    assert "tổng điểm tối đa của các tiêu chí là 21, khác điểm tối đa của nhóm là 20" in result.stderr


def test_threshold_above_group_maximum_and_rising_levels(tmp_path, cqdt):
    root = copy_data(tmp_path / "data", years=(2024,))
    tier_file = root / "criteria/qd-1609-2018/so.yaml"
    text = tier_file.read_text(encoding="utf-8")
    assert "2: 22.4" in text
    tier_file.write_text(text.replace("2: 22.4", "2: 29.4", 1), encoding="utf-8")
    result = cqdt("--data", root, "validate")
    assert result.exit_code == 1
    assert "điểm tối thiểu mức 2 (29.4) lớn hơn điểm tối đa của nhóm (28)" in result.stderr
    assert "điểm tối thiểu phải giảm dần" in result.stderr


def test_github_annotations_when_running_in_actions(data_2024, cqdt, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    original = (data_2024 / TARGET).read_bytes()
    path = place(data_2024, (FIXTURES / "invalid-negative-count.yaml").read_bytes())
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert f"::error file={TARGET},line=20,col=16::" in result.output
    finally:
        place(data_2024, original)


def test_json_report_equals_the_library_report(data_2024, cqdt):
    original = (data_2024 / TARGET).read_bytes()
    path = place(data_2024, (FIXTURES / "invalid-numerator-over-denominator.yaml").read_bytes())
    try:
        result = cqdt("--data", data_2024, "validate", "--format", "json", path)
        assert result.exit_code == 1
        report = validate_paths(DataRoot(data_2024), [path])
        assert json.loads(result.stdout) == {
            "ok": False, "files": report.files,
            "problems": [{"path": p.path, "line": p.line, "col": p.col, "message": p.message} for p in report.problems],
        }
    finally:
        place(data_2024, original)


def test_every_file_is_reported_and_none_skipped(data_2024, cqdt):
    commune = (data_2024 / TARGET).read_bytes()
    bad = place(data_2024, (FIXTURES / "invalid-nan.yaml").read_bytes(), "submissions/2024/xa/xa-bang-luan.yaml")
    original = (data_2024 / "submissions/2024/so/so-tttt.yaml").read_bytes()
    other = place(data_2024, b"unit: so-tttt\nyear: 2024\nanswers: {}\n", "submissions/2024/so/so-tttt.yaml")
    try:
        result = cqdt("--data", data_2024, "validate", bad, other, data_2024 / "nowhere.yaml")
        assert result.exit_code == 1
        reported = {line.split(":")[0] for line in result.stderr.splitlines() if ":" in line}
        assert {"submissions/2024/xa/xa-bang-luan.yaml", "submissions/2024/so/so-tttt.yaml", "nowhere.yaml"} <= reported
        assert "Đã kiểm tra 3 tệp: 3 tệp có lỗi" in result.stderr
    finally:
        place(data_2024, commune)
        place(data_2024, original, "submissions/2024/so/so-tttt.yaml")


def test_repository_validates(cqdt, repo_root):
    result = cqdt("--data", repo_root, "validate")
    assert result.exit_code == 0, result.output[-3000:]
    assert "không có lỗi" in result.output


def test_valid_but_unformatted_file_gets_a_fmt_hint(data_2024, cqdt):
    original = (data_2024 / TARGET).read_bytes()
    text = (FIXTURES / "valid-filled.yaml").read_text(encoding="utf-8")
    # Same data, other layout: the year written before the unit.
    shuffled = text.replace("unit: xa-bang-luan\nyear: 2024\n", "year: 2024\nunit: xa-bang-luan\n")
    path = place(data_2024, shuffled.encode("utf-8"))
    try:
        result = cqdt("--data", data_2024, "validate", path)
        assert result.exit_code == 0
        assert f"gợi ý: {TARGET} chưa theo định dạng chuẩn" in result.stdout
        assert "cqdt fmt" in result.stdout
    finally:
        place(data_2024, original)
    canonical = cqdt("--data", data_2024, "validate", data_2024 / TARGET)
    assert "gợi ý" not in canonical.stdout


def test_the_compiled_check_agrees_with_jsonschema_on_every_example(repo_root):
    """The fast yes/no check may skip jsonschema only where jsonschema finds nothing."""
    from scorer.core.problems import InputError
    from scorer.reading.catalogue import load_criteria_set
    from scorer.reading.schemas import compiled_check, generated_validator
    from scorer.reading.yaml import parse

    criteria_set = load_criteria_set(DataRoot(repo_root), "qd-1609-2018")
    documents = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        try:
            documents.append(("submission", parse(path.read_text(encoding="utf-8"), path.name)))
        except InputError:
            continue  # refused before any schema sees it
    review = parse((repo_root / "submissions/2024/xa/xa-bang-luan.review.yaml").read_text(encoding="utf-8"), "r")
    documents.append(("review", review))
    bad_day = json.loads(json.dumps(review))
    bad_day["reviews"][0]["date"] = "2024-13-45"
    documents.append(("review", bad_day))
    verdicts = set()
    for kind, data in documents:
        expected = not list(generated_validator(criteria_set, "xa", kind).iter_errors(data))
        assert compiled_check(criteria_set, "xa", kind)(data) == expected, (kind, data.get("unit"))
        verdicts.add(expected)
    assert verdicts == {True, False}
