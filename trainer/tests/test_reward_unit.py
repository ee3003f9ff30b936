import json
import math

import torch

from rlhf.data import EncodedGroup, collate, pad
from rlhf.model import TinyConfig, TinyTransformer, gather_last, last_token_index
from rlhf.reward import reward_loss, score
from rlhf.tokenizer import ByteTokenizer


def test_loss_is_bradley_terry_with_margin():
    rc, rr = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 0.0])
    w = torch.tensor([0.5, 0.5])
    expected = 0.5 * -math.log(1 / (1 + math.exp(-1.0))) + 0.5 * math.log(2)
    assert math.isclose(reward_loss(rc, rr, torch.zeros(2), w).item(), expected, rel_tol=1e-6)
    # a margin of 1 on the first pair asks for a gap of 1 more: its loss becomes -logsigmoid(0) = log 2
    with_margin = reward_loss(rc, rr, torch.tensor([1.0, 0.0]), w).item()
    assert math.isclose(with_margin, math.log(2), rel_tol=1e-6)


def test_center_rewards_term_penalises_offset_rewards():
    rc, rr, w, m = torch.tensor([5.0]), torch.tensor([4.0]), torch.tensor([1.0]), torch.zeros(1)
    base = reward_loss(rc, rr, m, w).item()
    centered = reward_loss(rc, rr, m, w, center_coef=0.01).item()
    assert math.isclose(centered - base, 0.01 * 81, rel_tol=1e-6)


def test_last_token_index_right_and_left_padding():
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert last_token_index(right).tolist() == [2, 4]
    assert last_token_index(left).tolist() == [4, 4]
    values = torch.arange(10.0).view(2, 5)
    assert gather_last(values, right).tolist() == [2.0, 9.0]


def test_reward_is_read_at_last_real_token_whatever_the_padding():
    """The classic bug: reading the reward at a pad (or at a fixed position) gives 50-60% accuracy. The same text
    must get the same reward unpadded, right-padded and left-padded."""
    torch.manual_seed(0)
    model = TinyTransformer(TinyConfig(head="value", n_embd=32, block_size=64)).eval()
    tok = ByteTokenizer()
    short, long = tok.encode("hi there") + [tok.eos_token_id], tok.encode("a much longer sentence") + [tok.eos_token_id]
    with torch.no_grad():
        alone = score(model, torch.tensor([short]), torch.ones(1, len(short), dtype=torch.long))
        for side in ("right", "left"):
            ids, mask = pad([short, long], tok.pad_token_id, side=side)
            r = score(model, ids, mask)
            assert torch.allclose(r[0], alone[0], atol=1e-5), side
            # and the pad tokens themselves do not score like the real last token
            assert not torch.allclose(model(ids, mask)[0, -1 if side == "right" else 0], alone[0], atol=1e-3)


def test_collate_scores_each_response_once_and_weighs_prompts_equally():
    g3 = EncodedGroup(ids=[[1, 2], [1, 3], [1, 4, 5]], pairs=[(0, 1, 0.0), (0, 2, 0.0), (1, 2, 0.5)])
    g1 = EncodedGroup(ids=[[7], [8]], pairs=[(0, 1, 0.0)])
    ids, mask, c, r, margin, w = collate([g3, g1], pad_id=0)
    assert ids.shape == (5, 3)  # 3 + 2 distinct responses, not 4 pairs x 2
    assert c.tolist() == [0, 0, 1, 3] and r.tolist() == [1, 2, 2, 4]
    assert margin.tolist() == [0.0, 0.0, 0.5, 0.0]
    # the 3-way ranking's three pairs together weigh as much as the single pair of the other prompt
    assert math.isclose(w[:3].sum().item(), 0.5) and math.isclose(w[3].item(), 0.5)


def _attention_to_same_token(init, seed=0):
    """Mean attention weight, over heads and layer-1 queries, from each repeated token to its first occurrence,
    against the uniform share (1 / number of keys) a query would give with no preference."""
    from rlhf.model import TinyConfig, TinyTransformer
    torch.manual_seed(seed)
    m = TinyTransformer(TinyConfig(vocab_size=64, block_size=32, n_layer=1, n_head=8, n_embd=64, init=init))
    ids = torch.tensor([[5, 9, 13, 21, 30, 42, 5, 9, 13, 21, 30, 42]])  # the second half repeats the first
    T = ids.size(1)
    x = m.blocks[0].ln1(m.wte(ids) + m.wpe(torch.arange(T)))
    att, _ = m.blocks[0].attn.weights(x, torch.ones(1, T, T, dtype=torch.bool).tril())
    shares = [att[0, :, t, t - 6].mean().item() * (t + 1) for t in range(6, 12)]  # weight / uniform weight
    return sum(shares) / len(shares)


def test_mimetic_init_makes_a_new_model_attend_to_the_same_token():
    # what lets a tiny reward model match its answer against the prompt from the first step: with mimetic init a
    # repeated token looks back at its first occurrence several times more than at random; with normal init it
    # does not prefer it at all (measured: 1.09-1.75x the uniform share over six seeds, 1.00-1.01x)
    mimetic = [_attention_to_same_token("mimetic", seed) for seed in range(6)]
    normal = [_attention_to_same_token("normal", seed) for seed in range(6)]
    assert min(mimetic) > 1.05 and sum(mimetic) / 6 > 1.3, mimetic
    assert all(0.97 < x < 1.03 for x in normal), normal


def test_tiny_model_without_an_init_field_loads_as_before(tmp_path):
    # model directories saved before the field existed have no "init" in config.json
    from rlhf.model import TinyConfig, TinyTransformer, load_tiny, save_tiny
    m = TinyTransformer(TinyConfig(vocab_size=40, block_size=16, n_layer=1, n_head=2, n_embd=16, head="value", init="mimetic"))
    save_tiny(m, str(tmp_path))
    cfg = json.loads((tmp_path / "config.json").read_text())
    del cfg["init"]
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    loaded = load_tiny(str(tmp_path))
    assert loaded.config.init == "normal"
    assert all(torch.equal(a, b) for a, b in zip(m.state_dict().values(), loaded.state_dict().values()))
