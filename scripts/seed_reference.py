"""The seed's SPLADE export wrapper, verbatim from Anserini's src/main/python/onnx/splade_to_onnx.py:
the reference math of the `splade` head (output_idx, output_weights), shared by the test-model
generator, the converter's parity tests and the converter benchmark."""
import torch
from torch import nn


class SpladeExportWrapper(nn.Module):
    def __init__(self, splade_model):
        super().__init__()
        self.splade = splade_model

    def forward(self, input_ids, attention_mask, token_type_ids):
        # Use token_type_ids in a no-op way to force ONNX to retain it
        dummy = token_type_ids.sum() * 0.0
        outputs = self.splade(input_ids=input_ids, attention_mask=attention_mask)
        logits = outputs.logits
        relu = torch.relu(logits)
        log1p = torch.log1p(relu)
        sparse_vec = torch.max(log1p * attention_mask.unsqueeze(-1), dim=1).values
        nonzero = sparse_vec.nonzero(as_tuple=True)
        values = sparse_vec[nonzero]
        return nonzero[1], values + dummy
