"""The Compliance Hub: who outside the GC may see which projects, and the certificates table they see."""
