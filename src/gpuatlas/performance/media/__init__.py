"""Image and vision workloads: diffusion pipelines, vision-language, OCR."""
