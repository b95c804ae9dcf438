"""The returns portal: order lookup, starting a return, the prepaid label and the status page.

The views and their blueprint are in views.py; the rules live beside them: policy.py
(eligibility, fees), states.py (the state machine), service.py (creating returns), labels.py
and carrier.py (the label and its tracking number).
"""
