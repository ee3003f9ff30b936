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
