"""arignote.plugins: built-in add-ons that use only arignote's public API and its hooks.

Nothing here is imported by core, the backends or the rewrites.  The probabilistic layer
(``plugins/ppl``, imported as ``arignote.ppl``) and the step methods (``plugins/samplers``,
registered through ``arignote_register_samplers``) are being built in this folder; until
they land, the sampler and distribution hooks have no built-in consumer.
"""
