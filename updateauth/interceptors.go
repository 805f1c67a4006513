package updateauth

import (
	"context"
	"errors"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Client returns the interceptor that signs every Update a client sends.
func (k Key) Client() interceptor.ClientInterceptor { return &clientSigner{key: k} }

// Worker returns the interceptor that refuses every Update whose signature
// is missing or wrong, before the workflow's own validator sees it.
func (k Key) Worker() interceptor.WorkerInterceptor { return &workerVerifier{key: k} }

type clientSigner struct {
	interceptor.ClientInterceptorBase
	key Key
}

func (c *clientSigner) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	return &clientOutbound{ClientOutboundInterceptorBase: interceptor.ClientOutboundInterceptorBase{Next: next}, key: c.key}
}

type clientOutbound struct {
	interceptor.ClientOutboundInterceptorBase
	key Key
}

func (c *clientOutbound) UpdateWorkflow(ctx context.Context, in *interceptor.ClientUpdateWorkflowInput) (client.WorkflowUpdateHandle, error) {
	h := interceptor.Header(ctx)
	if h == nil {
		return nil, errors.New("updateauth: the SDK gave no header to sign into")
	}
	sig, err := c.key.sign(in.WorkflowID, in.UpdateName, in.UpdateID, in.Args)
	if err != nil {
		return nil, err
	}
	h[header] = sig
	return c.Next.UpdateWorkflow(ctx, in)
}

type workerVerifier struct {
	interceptor.WorkerInterceptorBase
	key Key
}

func (w *workerVerifier) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &workflowInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, key: w.key}
}

type workflowInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	key Key
}

// ValidateUpdate runs only for new Updates, never on replay: a changed key
// cannot break the replay of a history.
func (i *workflowInbound) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	var updateID string
	if info := workflow.GetCurrentUpdateInfo(ctx); info != nil {
		updateID = info.ID
	}
	sig := interceptor.WorkflowHeader(ctx)[header]
	if err := i.key.verify(workflow.GetInfo(ctx).WorkflowExecution.ID, in.Name, updateID, in.Args, sig); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), TypeUnauthenticated, nil)
	}
	return i.Next.ValidateUpdate(ctx, in)
}
