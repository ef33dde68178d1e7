#!/usr/bin/python3
"""Writes Docket's tiny embedding model, the test fixture that runs through the real transformers.js pipeline.

The model is BERT-shaped so transformers.js treats it like the real thing: a WordPiece tokenizer with a small
legal vocabulary, then token embedding -> dense -> tanh -> dense, giving `last_hidden_state` [batch, seq, 32].
The pipeline mean-pools over the attention mask and normalises. Weights are random but seeded, and every file
is written in a fixed byte order, so running this twice gives identical files (transformers-embedder.test.ts checks that).

It writes the Hugging Face hub layout, `<out>/docket/tiny-embed/resolve/main/...`, the same layout Docket's
`Model base URL` expects from a self-hosted model folder (see README › Self-hosted models).

Run with Debian's Python (python3-onnx, python3-numpy):  /usr/bin/python3 scripts/make-tiny-model.py [out]
Default out: tests/fixtures/models
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MODEL_ID = 'docket/tiny-embed'
HIDDEN = 32
SEED = 20261123

SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
WORDS = (
    'the a an of to and in on for with by as at from that this is was were be been it its not or '
    'court case contract evidence witness judge law copyright deposition plaintiff defendant page document '
    'said agreement party parties claim damages breach motion order trial appeal counsel exhibit testimony '
    'clause term notice payment liability license patent trademark infringement settlement statute section '
    'jury verdict hearing filed dated signed date year month day'
).split()
SUFFIXES = ['##s', '##ed', '##ing', '##ly', '##er']
VOCAB = SPECIAL + WORDS + SUFFIXES


def build_model() -> onnx.ModelProto:
    rng = np.random.default_rng(SEED)
    v = len(VOCAB)
    emb = rng.standard_normal((v, HIDDEN)).astype(np.float32)
    w1 = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    b1 = (rng.standard_normal(HIDDEN) / 10).astype(np.float32)
    w2 = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    b2 = np.zeros(HIDDEN, np.float32)
    nodes = [
        helper.make_node('Gather', ['embeddings', 'input_ids'], ['x0'], axis=0),
        helper.make_node('MatMul', ['x0', 'w1'], ['x1']),
        helper.make_node('Add', ['x1', 'b1'], ['x2']),
        helper.make_node('Tanh', ['x2'], ['x3']),
        helper.make_node('MatMul', ['x3', 'w2'], ['x4']),
        helper.make_node('Add', ['x4', 'b2'], ['last_hidden_state']),
    ]
    graph = helper.make_graph(
        nodes,
        'docket-tiny-embed',
        [
            helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch', 'sequence']),
            # Declared so transformers.js feeds it; mean pooling in the pipeline applies it.
            helper.make_tensor_value_info('attention_mask', TensorProto.INT64, ['batch', 'sequence']),
        ],
        [helper.make_tensor_value_info('last_hidden_state', TensorProto.FLOAT, ['batch', 'sequence', HIDDEN])],
        [
            numpy_helper.from_array(emb, 'embeddings'),
            numpy_helper.from_array(w1, 'w1'),
            numpy_helper.from_array(b1, 'b1'),
            numpy_helper.from_array(w2, 'w2'),
            numpy_helper.from_array(b2, 'b2'),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='docket')
    # Pinned rather than taken from the installed onnx, so the bytes do not depend on its version.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def special(token: str) -> dict:
    return {'SpecialToken': {'id': token, 'type_id': 0}}


def tokenizer() -> dict:
    return {
        'version': '1.0',
        'truncation': {'direction': 'Right', 'max_length': 128, 'strategy': 'LongestFirst', 'stride': 0},
        'padding': None,
        'added_tokens': [
            {'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
             'normalized': False, 'special': True}
            for i, t in enumerate(SPECIAL)
        ],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [special('[CLS]'), {'Sequence': {'id': 'A', 'type_id': 0}}, special('[SEP]')],
            'pair': [special('[CLS]'), {'Sequence': {'id': 'A', 'type_id': 0}}, special('[SEP]'),
                     {'Sequence': {'id': 'B', 'type_id': 1}}, special('[SEP]')],
            'special_tokens': {
                '[CLS]': {'id': '[CLS]', 'ids': [2], 'tokens': ['[CLS]']},
                '[SEP]': {'id': '[SEP]', 'ids': [3], 'tokens': ['[SEP]']},
            },
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': {t: i for i, t in enumerate(VOCAB)}},
    }


def write_json(path: str, data: dict) -> None:
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write('\n')


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join('tests', 'fixtures', 'models')
    folder = os.path.join(out, *MODEL_ID.split('/'), 'resolve', 'main')
    os.makedirs(os.path.join(folder, 'onnx'), exist_ok=True)
    with open(os.path.join(folder, 'onnx', 'model.onnx'), 'wb') as f:
        f.write(build_model().SerializeToString(deterministic=True))
    write_json(os.path.join(folder, 'config.json'), {
        'model_type': 'bert', 'architectures': ['BertModel'], 'hidden_size': HIDDEN,
        'vocab_size': len(VOCAB), 'max_position_embeddings': 128,
    })
    write_json(os.path.join(folder, 'tokenizer.json'), tokenizer())
    write_json(os.path.join(folder, 'tokenizer_config.json'), {
        'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'model_max_length': 128,
        'unk_token': '[UNK]', 'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]',
        'mask_token': '[MASK]',
    })
    print(f'{MODEL_ID}: {len(VOCAB)} tokens, {HIDDEN} dimensions -> {folder}')


if __name__ == '__main__':
    main()
